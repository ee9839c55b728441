package io.strata.nfs.nfs3;

import io.strata.nfs.fs.DirectoryLister;
import io.strata.nfs.fs.FsException;
import io.strata.nfs.fs.FsStatus;
import io.strata.nfs.rpc.XdrReader;
import io.strata.nfs.rpc.XdrWriter;
import io.strata.nfs.share.Exports;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * READDIR and READDIRPLUS. The client's byte counts bound the reply exactly (header, every
 * entry, the end markers); a count too small for one entry is TOOSMALL. Counts are capped at
 * {@link #MAX_REPLY_BYTES}.
 */
final class DirProcedures {
  static final int MAX_REPLY_BYTES = 1 << 20;
  /** post_op_attr with attributes + cookie verifier + end of list + eof. */
  static final int HEADER_BYTES = 4 + Nfs3Xdr.FATTR_BYTES + 8 + 4 + 4;
  /** Per READDIRPLUS entry beyond READDIR's: post_op_attr and post_op_fh3. */
  static final int PLUS_BYTES = 4 + Nfs3Xdr.FATTR_BYTES + 4 + 4 + FileHandle.BYTES;

  private DirProcedures() {}

  record ReaddirArgs(byte[] dir, long cookie, long verifier, int dirCount, int maxCount, boolean plus) {}

  static void register(Nfs3Procedure<?>[] t, Exports ex) {
    t[16] = new Nfs3Procedure<ReaddirArgs>("READDIR", ex, in -> read(in, false), DirProcedures::list,
        (a, call, out) -> AttrProcedures.attrFailure(a.dir(), call, out), 8192);
    t[17] = new Nfs3Procedure<ReaddirArgs>("READDIRPLUS", ex, in -> read(in, true), DirProcedures::list,
        (a, call, out) -> AttrProcedures.attrFailure(a.dir(), call, out), 32768);
  }

  private static ReaddirArgs read(XdrReader in, boolean plus) {
    byte[] fh = Nfs3Xdr.readHandle(in);
    long cookie = in.readHyper();
    long verf = ByteBuffer.wrap(in.readFixedOpaque(8)).getLong();
    int first = (int) Math.min(in.readUnsignedInt(), MAX_REPLY_BYTES);
    if (!plus) {
      return new ReaddirArgs(fh, cookie, verf, first, first, false);
    }
    int max = (int) Math.min(in.readUnsignedInt(), MAX_REPLY_BYTES);
    return new ReaddirArgs(fh, cookie, verf, first, max, true);
  }

  /** Entry bytes that count against READDIR's count / READDIRPLUS's dircount. */
  static int entryBytes(String name) {
    return 4 + 8 + XdrWriter.opaqueSize(name.length()) + 8;
  }

  private static void list(ReaddirArgs a, NfsCall call, XdrWriter out) {
    NfsCall.Target dir = call.target(a.dir());
    List<DirectoryLister.Entry> entries = new ArrayList<>();
    int[] used = {HEADER_BYTES, 0};
    DirectoryLister.Listing l = dir.fs().directories.list(dir.caller(), dir.ino(), a.cookie(), a.verifier(), a.plus(), e -> {
      int base = entryBytes(e.name());
      int total = base + (a.plus() ? PLUS_BYTES : 0);
      if (used[0] + total > a.maxCount() || a.plus() && used[1] + base > a.dirCount()) {
        return false;
      }
      used[0] += total;
      used[1] += base;
      entries.add(e);
      return true;
    });
    if (entries.isEmpty() && !l.eof()) {
      throw new FsException(FsStatus.TOOSMALL, "count " + a.maxCount() + " too small for one entry");
    }
    out.writeInt(0);
    Nfs3Xdr.writePostOpAttr(out, dir.fsid(), l.dir());
    out.writeHyper(l.verifier());
    for (DirectoryLister.Entry e : entries) {
      out.writeBool(true).writeHyper(e.fileid()).writeString(e.name()).writeHyper(e.cookie());
      if (a.plus()) {
        Nfs3Xdr.writePostOpAttr(out, dir.fsid(), e.attrs());
        Nfs3Xdr.writePostOpFh(out, dir.fsid(), e.attrs());
      }
    }
    out.writeBool(false).writeBool(l.eof());
  }
}

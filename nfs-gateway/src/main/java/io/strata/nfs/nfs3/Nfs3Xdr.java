package io.strata.nfs.nfs3;

import io.strata.nfs.fs.Change;
import io.strata.nfs.fs.FileSystem;
import io.strata.nfs.fs.FileType;
import io.strata.nfs.fs.Inode;
import io.strata.nfs.fs.SetAttrs;
import io.strata.nfs.rpc.XdrException;
import io.strata.nfs.rpc.XdrReader;
import io.strata.nfs.rpc.XdrWriter;

/** XDR of the NFSv3 shared types (RFC 1813 section 2.5–2.6): attributes, wcc data, sattr3, handles. */
final class Nfs3Xdr {
  static final int FHSIZE = 64;
  /** Bound on a filename3 or nfspath3 on the wire; longer names are NAMETOOLONG in the file system. */
  static final int MAX_NAME_WIRE_BYTES = 8192;
  static final int FATTR_BYTES = 84;
  static final long NANOS = 1_000_000_000L;

  private Nfs3Xdr() {}

  static byte[] readHandle(XdrReader in) {
    return in.readOpaque(FHSIZE);
  }

  static void writeHandle(XdrWriter out, FileHandle fh) {
    out.writeOpaque(fh.encode());
  }

  static long readTime(XdrReader in) {
    long sec = in.readUnsignedInt();
    long nsec = in.readUnsignedInt();
    if (nsec >= NANOS) {
      throw new XdrException("nseconds " + nsec + " out of range");
    }
    return sec * NANOS + nsec;
  }

  static void writeTime(XdrWriter out, long nanos) {
    long sec = Math.floorDiv(nanos, NANOS);
    out.writeUnsignedInt(sec).writeUnsignedInt(Math.floorMod(nanos, NANOS));
  }

  static void writeFattr(XdrWriter out, long fsid, Inode i) {
    out.writeInt(i.type.code).writeUnsignedInt(i.mode).writeUnsignedInt(i.nlink)
        .writeUnsignedInt(i.uid & 0xffffffffL).writeUnsignedInt(i.gid & 0xffffffffL)
        .writeHyper(i.size).writeHyper(used(i))
        .writeUnsignedInt(i.rdev >>> 32).writeUnsignedInt(i.rdev & 0xffffffffL)
        .writeHyper(fsid).writeHyper(i.id);
    writeTime(out, i.atime);
    writeTime(out, i.mtime);
    writeTime(out, i.ctime);
  }

  private static long used(Inode i) {
    return i.type == FileType.REG ? (i.size + 4095) / 4096 * 4096 : i.isDir() ? FileSystem.DIR_SIZE_BYTES : 0;
  }

  static void writePostOpAttr(XdrWriter out, long fsid, Inode i) {
    out.writeBool(i != null);
    if (i != null) {
      writeFattr(out, fsid, i);
    }
  }

  static void writePreOpAttr(XdrWriter out, Inode i) {
    out.writeBool(i != null);
    if (i != null) {
      out.writeHyper(i.size);
      writeTime(out, i.mtime);
      writeTime(out, i.ctime);
    }
  }

  static void writeWcc(XdrWriter out, long fsid, Change c) {
    writePreOpAttr(out, c == null ? null : c.before());
    writePostOpAttr(out, fsid, c == null ? null : c.after());
  }

  /** wcc_data with no pre-op attributes (failures): just what the object looks like now. */
  static void writeWccAfter(XdrWriter out, long fsid, Inode after) {
    out.writeBool(false);
    writePostOpAttr(out, fsid, after);
  }

  static void writePostOpFh(XdrWriter out, long fsid, Inode i) {
    out.writeBool(i != null);
    if (i != null) {
      writeHandle(out, new FileHandle(fsid, i.id, i.generation));
    }
  }

  static SetAttrs readSattr(XdrReader in) {
    Integer mode = in.readBool() ? (int) (in.readUnsignedInt() & 07777) : null;
    Integer uid = in.readBool() ? in.readInt() : null;
    Integer gid = in.readBool() ? in.readInt() : null;
    Long size = in.readBool() ? in.readHyper() : null;
    Long atime = readSetTime(in);
    Long mtime = readSetTime(in);
    return new SetAttrs(mode, uid, gid, size, atime, mtime);
  }

  private static Long readSetTime(XdrReader in) {
    return switch (in.readEnum(2)) {
      case 0 -> null;
      case 1 -> SetAttrs.SERVER_TIME;
      default -> readTime(in);
    };
  }

  /** diropargs3: a directory handle and a name. */
  record DirOp(byte[] dir, String name) {}

  static DirOp readDirOp(XdrReader in) {
    return new DirOp(readHandle(in), in.readString(MAX_NAME_WIRE_BYTES));
  }
}

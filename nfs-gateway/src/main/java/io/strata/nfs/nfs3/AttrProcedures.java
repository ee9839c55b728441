package io.strata.nfs.nfs3;

import io.strata.nfs.fs.BlockStore;
import io.strata.nfs.fs.Change;
import io.strata.nfs.fs.FileSystem;
import io.strata.nfs.fs.SetAttrs;
import io.strata.nfs.rpc.XdrWriter;
import io.strata.nfs.share.Exports;

/** GETATTR, SETATTR, ACCESS, FSSTAT, FSINFO, PATHCONF. */
final class AttrProcedures {
  /** Largest READ and WRITE, advertised in FSINFO (and the preferred size: one block). */
  static final int MAX_IO_BYTES = BlockStore.BLOCK_BYTES;
  static final int DIR_PREF_BYTES = 64 * 1024;
  static final int FSF3_LINK = 0x1;
  static final int FSF3_SYMLINK = 0x2;
  static final int FSF3_HOMOGENEOUS = 0x8;
  static final int FSF3_CANSETTIME = 0x10;

  private AttrProcedures() {}

  record SetAttrArgs(byte[] fh, SetAttrs attrs, Long guardCtime) {}

  record AccessArgs(byte[] fh, int access) {}

  static void register(Nfs3Procedure<?>[] t, Exports ex) {
    t[1] = new Nfs3Procedure<byte[]>("GETATTR", ex, Nfs3Xdr::readHandle, (fh, call, out) -> {
      NfsCall.Target target = call.target(fh);
      out.writeInt(0);
      Nfs3Xdr.writeFattr(out, target.fsid(), target.inode());
    }, (fh, call, out) -> { }, 128);

    t[2] = new Nfs3Procedure<SetAttrArgs>("SETATTR", ex, in -> new SetAttrArgs(Nfs3Xdr.readHandle(in),
        Nfs3Xdr.readSattr(in), in.readBool() ? Nfs3Xdr.readTime(in) : null), (a, call, out) -> {
          NfsCall.Target target = call.writable(a.fh());
          Change c = target.fs().attrs.setattr(target.caller(), target.ino(), a.attrs(), a.guardCtime());
          out.writeInt(0);
          Nfs3Xdr.writeWcc(out, target.fsid(), c);
        }, (a, call, out) -> Nfs3Xdr.writeWccAfter(out, call.fsidOrZero(a.fh()), call.attrsOrNull(a.fh())), 256);

    t[4] = new Nfs3Procedure<AccessArgs>("ACCESS", ex, in -> new AccessArgs(Nfs3Xdr.readHandle(in), in.readInt()),
        (a, call, out) -> {
          NfsCall.Target target = call.target(a.fh());
          int granted = target.fs().access(target.caller(), target.ino(), a.access());
          if (target.share().readOnly()) {
            granted &= ~(0x04 | 0x08 | 0x10);
          }
          out.writeInt(0);
          Nfs3Xdr.writePostOpAttr(out, target.fsid(), target.inode());
          out.writeInt(granted);
        }, (a, call, out) -> Nfs3Xdr.writePostOpAttr(out, call.fsidOrZero(a.fh()), call.attrsOrNull(a.fh())), 128);

    t[18] = new Nfs3Procedure<byte[]>("FSSTAT", ex, Nfs3Xdr::readHandle, (fh, call, out) -> {
      NfsCall.Target target = call.target(fh);
      long[] s = target.fs().statfs();
      out.writeInt(0);
      Nfs3Xdr.writePostOpAttr(out, target.fsid(), target.inode());
      out.writeHyper(s[0]).writeHyper(s[1]).writeHyper(s[1]).writeHyper(s[2]).writeHyper(s[3]).writeHyper(s[3]).writeInt(0);
    }, AttrProcedures::attrFailure, 160);

    t[19] = new Nfs3Procedure<byte[]>("FSINFO", ex, Nfs3Xdr::readHandle, (fh, call, out) -> {
      NfsCall.Target target = call.target(fh);
      out.writeInt(0);
      Nfs3Xdr.writePostOpAttr(out, target.fsid(), target.inode());
      out.writeInt(MAX_IO_BYTES).writeInt(MAX_IO_BYTES).writeInt(4096)
          .writeInt(MAX_IO_BYTES).writeInt(MAX_IO_BYTES).writeInt(4096)
          .writeInt(DIR_PREF_BYTES).writeHyper(FileSystem.MAX_FILE_BYTES)
          .writeInt(0).writeInt(1)
          .writeInt(FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME);
    }, AttrProcedures::attrFailure, 160);

    t[20] = new Nfs3Procedure<byte[]>("PATHCONF", ex, Nfs3Xdr::readHandle, (fh, call, out) -> {
      NfsCall.Target target = call.target(fh);
      out.writeInt(0);
      Nfs3Xdr.writePostOpAttr(out, target.fsid(), target.inode());
      out.writeInt(FileSystem.MAX_LINKS).writeInt(FileSystem.MAX_NAME_BYTES)
          .writeBool(true).writeBool(true).writeBool(false).writeBool(true);
    }, AttrProcedures::attrFailure, 128);
  }

  static void attrFailure(byte[] fh, NfsCall call, XdrWriter out) {
    Nfs3Xdr.writePostOpAttr(out, call.fsidOrZero(fh), call.attrsOrNull(fh));
  }
}

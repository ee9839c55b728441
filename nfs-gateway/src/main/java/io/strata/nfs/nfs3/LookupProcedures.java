package io.strata.nfs.nfs3;

import io.strata.nfs.fs.Inode;
import io.strata.nfs.share.Exports;

/** LOOKUP and READLINK. */
final class LookupProcedures {
  private LookupProcedures() {}

  static void register(Nfs3Procedure<?>[] t, Exports ex) {
    t[3] = new Nfs3Procedure<Nfs3Xdr.DirOp>("LOOKUP", ex, Nfs3Xdr::readDirOp, (a, call, out) -> {
      NfsCall.Target dir = call.target(a.dir());
      Inode child = dir.fs().lookup(dir.caller(), dir.ino(), a.name());
      out.writeInt(0);
      Nfs3Xdr.writeHandle(out, new FileHandle(dir.fsid(), child.id, child.generation));
      Nfs3Xdr.writePostOpAttr(out, dir.fsid(), child);
      Nfs3Xdr.writePostOpAttr(out, dir.fsid(), dir.fs().resolve(dir.ino(), dir.inode().generation));
    }, (a, call, out) -> Nfs3Xdr.writePostOpAttr(out, call.fsidOrZero(a.dir()), call.attrsOrNull(a.dir())), 256);

    t[5] = new Nfs3Procedure<byte[]>("READLINK", ex, Nfs3Xdr::readHandle, (fh, call, out) -> {
      NfsCall.Target link = call.target(fh);
      String target = link.fs().readlink(link.ino());
      out.writeInt(0);
      Nfs3Xdr.writePostOpAttr(out, link.fsid(), link.inode());
      out.writeString(target);
    }, AttrProcedures::attrFailure, 4200);
  }
}

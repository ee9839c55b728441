package io.strata.nfs.nfs3;

import io.strata.nfs.fs.Change;
import io.strata.nfs.fs.FsException;
import io.strata.nfs.fs.FsStatus;
import io.strata.nfs.fs.NamespaceOps;
import io.strata.nfs.fs.RenameOp;
import io.strata.nfs.share.Exports;

/** REMOVE, RMDIR, RENAME, LINK. A rename or link between two shares is XDEV. */
final class RemoveProcedures {
  private RemoveProcedures() {}

  record RenameArgs(Nfs3Xdr.DirOp from, Nfs3Xdr.DirOp to) {}

  record LinkArgs(byte[] file, Nfs3Xdr.DirOp link) {}

  static void register(Nfs3Procedure<?>[] t, Exports ex) {
    t[12] = new Nfs3Procedure<Nfs3Xdr.DirOp>("REMOVE", ex, Nfs3Xdr::readDirOp, (a, call, out) -> {
      NfsCall.Target dir = call.writable(a.dir());
      Change c = dir.fs().namespace.remove(dir.caller(), dir.ino(), a.name());
      out.writeInt(0);
      Nfs3Xdr.writeWcc(out, dir.fsid(), c);
    }, (a, call, out) -> CreateProcedures.dirFailure(a, call, out), 256);

    t[13] = new Nfs3Procedure<Nfs3Xdr.DirOp>("RMDIR", ex, Nfs3Xdr::readDirOp, (a, call, out) -> {
      NfsCall.Target dir = call.writable(a.dir());
      Change c = dir.fs().namespace.rmdir(dir.caller(), dir.ino(), a.name());
      out.writeInt(0);
      Nfs3Xdr.writeWcc(out, dir.fsid(), c);
    }, (a, call, out) -> CreateProcedures.dirFailure(a, call, out), 256);

    t[14] = new Nfs3Procedure<RenameArgs>("RENAME", ex, in -> new RenameArgs(Nfs3Xdr.readDirOp(in), Nfs3Xdr.readDirOp(in)),
        (a, call, out) -> {
          NfsCall.Target from = call.writable(a.from().dir());
          NfsCall.Target to = call.writable(a.to().dir());
          if (from.fsid() != to.fsid()) {
            throw new FsException(FsStatus.XDEV, "rename between shares");
          }
          RenameOp.Renamed r = from.fs().renames.rename(from.caller(), from.ino(), a.from().name(), to.ino(), a.to().name());
          out.writeInt(0);
          Nfs3Xdr.writeWcc(out, from.fsid(), r.from());
          Nfs3Xdr.writeWcc(out, from.fsid(), r.to());
        }, (a, call, out) -> {
          CreateProcedures.dirFailure(a.from(), call, out);
          CreateProcedures.dirFailure(a.to(), call, out);
        }, 512);

    t[15] = new Nfs3Procedure<LinkArgs>("LINK", ex, in -> new LinkArgs(Nfs3Xdr.readHandle(in), Nfs3Xdr.readDirOp(in)),
        (a, call, out) -> {
          NfsCall.Target file = call.writable(a.file());
          NfsCall.Target dir = call.writable(a.link().dir());
          if (file.fsid() != dir.fsid()) {
            throw new FsException(FsStatus.XDEV, "link between shares");
          }
          NamespaceOps.Linked l = dir.fs().namespace.link(dir.caller(), file.ino(), dir.ino(), a.link().name());
          out.writeInt(0);
          Nfs3Xdr.writePostOpAttr(out, dir.fsid(), l.file());
          Nfs3Xdr.writeWcc(out, dir.fsid(), l.dir());
        }, (a, call, out) -> {
          Nfs3Xdr.writePostOpAttr(out, call.fsidOrZero(a.file()), call.attrsOrNull(a.file()));
          CreateProcedures.dirFailure(a.link(), call, out);
        }, 512);
  }
}

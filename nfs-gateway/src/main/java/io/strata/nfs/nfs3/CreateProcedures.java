package io.strata.nfs.nfs3;

import io.strata.nfs.fs.FileType;
import io.strata.nfs.fs.NamespaceOps;
import io.strata.nfs.fs.SetAttrs;
import io.strata.nfs.rpc.XdrReader;
import io.strata.nfs.rpc.XdrWriter;
import io.strata.nfs.share.Exports;
import java.nio.ByteBuffer;

/** CREATE, MKDIR, SYMLINK, MKNOD: each answers the new handle, its attributes and the directory's wcc. */
final class CreateProcedures {
  private CreateProcedures() {}

  record CreateArgs(Nfs3Xdr.DirOp where, NamespaceOps.CreateMode mode, SetAttrs attrs, long verifier) {}

  record MkdirArgs(Nfs3Xdr.DirOp where, SetAttrs attrs) {}

  record SymlinkArgs(Nfs3Xdr.DirOp where, SetAttrs attrs, String target) {}

  record MknodArgs(Nfs3Xdr.DirOp where, FileType type, SetAttrs attrs, long rdev) {}

  static void register(Nfs3Procedure<?>[] t, Exports ex) {
    t[8] = new Nfs3Procedure<CreateArgs>("CREATE", ex, CreateProcedures::readCreate, (a, call, out) -> {
      NfsCall.Target dir = call.writable(a.where().dir());
      NamespaceOps.Created c = dir.fs().namespace.create(dir.caller(), dir.ino(), a.where().name(), a.mode(),
          a.attrs(), a.verifier());
      created(out, dir, c);
    }, (a, call, out) -> dirFailure(a.where(), call, out), 512);

    t[9] = new Nfs3Procedure<MkdirArgs>("MKDIR", ex, in -> new MkdirArgs(Nfs3Xdr.readDirOp(in), Nfs3Xdr.readSattr(in)),
        (a, call, out) -> {
          NfsCall.Target dir = call.writable(a.where().dir());
          created(out, dir, dir.fs().namespace.mkdir(dir.caller(), dir.ino(), a.where().name(), a.attrs()));
        }, (a, call, out) -> dirFailure(a.where(), call, out), 512);

    t[10] = new Nfs3Procedure<SymlinkArgs>("SYMLINK", ex, in -> new SymlinkArgs(Nfs3Xdr.readDirOp(in),
        Nfs3Xdr.readSattr(in), in.readString(Nfs3Xdr.MAX_NAME_WIRE_BYTES)), (a, call, out) -> {
          NfsCall.Target dir = call.writable(a.where().dir());
          created(out, dir, dir.fs().namespace.symlink(dir.caller(), dir.ino(), a.where().name(), a.target(), a.attrs()));
        }, (a, call, out) -> dirFailure(a.where(), call, out), 512);

    t[11] = new Nfs3Procedure<MknodArgs>("MKNOD", ex, CreateProcedures::readMknod, (a, call, out) -> {
      NfsCall.Target dir = call.writable(a.where().dir());
      created(out, dir, dir.fs().namespace.mknod(dir.caller(), dir.ino(), a.where().name(), a.type(), a.attrs(), a.rdev()));
    }, (a, call, out) -> dirFailure(a.where(), call, out), 512);
  }

  private static CreateArgs readCreate(XdrReader in) {
    Nfs3Xdr.DirOp where = Nfs3Xdr.readDirOp(in);
    NamespaceOps.CreateMode mode = NamespaceOps.CreateMode.values()[in.readEnum(2)];
    if (mode == NamespaceOps.CreateMode.EXCLUSIVE) {
      return new CreateArgs(where, mode, SetAttrs.NONE, ByteBuffer.wrap(in.readFixedOpaque(8)).getLong());
    }
    return new CreateArgs(where, mode, Nfs3Xdr.readSattr(in), 0);
  }

  private static MknodArgs readMknod(XdrReader in) {
    Nfs3Xdr.DirOp where = Nfs3Xdr.readDirOp(in);
    int type = in.readInt();
    if (type < 1 || type > 7) {
      return new MknodArgs(where, null, SetAttrs.NONE, 0);
    }
    FileType ft = FileType.of(type);
    return switch (ft) {
      case CHR, BLK -> {
        SetAttrs a = Nfs3Xdr.readSattr(in);
        long major = in.readUnsignedInt();
        long minor = in.readUnsignedInt();
        yield new MknodArgs(where, ft, a, major << 32 | minor);
      }
      case SOCK, FIFO -> new MknodArgs(where, ft, Nfs3Xdr.readSattr(in), 0);
      default -> new MknodArgs(where, ft, SetAttrs.NONE, 0);
    };
  }

  private static void created(XdrWriter out, NfsCall.Target dir, NamespaceOps.Created c) {
    out.writeInt(0);
    Nfs3Xdr.writePostOpFh(out, dir.fsid(), c.object());
    Nfs3Xdr.writePostOpAttr(out, dir.fsid(), c.object());
    Nfs3Xdr.writeWcc(out, dir.fsid(), c.dir());
  }

  static void dirFailure(Nfs3Xdr.DirOp where, NfsCall call, XdrWriter out) {
    Nfs3Xdr.writeWccAfter(out, call.fsidOrZero(where.dir()), call.attrsOrNull(where.dir()));
  }
}

package io.strata.nfs.nfs3;

import io.netty.buffer.ByteBuf;
import io.strata.nfs.fs.Change;
import io.strata.nfs.fs.DataOps;
import io.strata.nfs.fs.FsException;
import io.strata.nfs.fs.FsStatus;
import io.strata.nfs.rpc.XdrReader;
import io.strata.nfs.share.Exports;

/**
 * READ, WRITE and COMMIT. WRITE data stays in the request buffer until it is copied into the
 * block cache (one copy). The write verifier is fixed for the life of the gateway process and
 * changes on every start, which is how clients learn that UNSTABLE data must be sent again.
 */
final class DataProcedures {
  private DataProcedures() {}

  record ReadArgs(byte[] fh, long offset, int count) {}

  record WriteArgs(byte[] fh, long offset, int count, DataOps.Stability stable, ByteBuf buffer)
      implements Nfs3Procedure.HoldsBuffer {}

  record CommitArgs(byte[] fh, long offset, long count) {}

  static void register(Nfs3Procedure<?>[] t, Exports ex, byte[] verifier) {
    t[6] = new Nfs3Procedure<ReadArgs>("READ", ex, in -> new ReadArgs(Nfs3Xdr.readHandle(in), in.readHyper(),
        (int) Math.min(in.readUnsignedInt(), AttrProcedures.MAX_IO_BYTES)), (a, call, out) -> {
          NfsCall.Target f = call.target(a.fh());
          if (a.offset() < 0) {
            throw new FsException(FsStatus.INVAL, "negative offset");
          }
          DataOps.ReadResult r = f.fs().files.read(f.caller(), f.ino(), a.offset(), a.count());
          out.writeInt(0);
          Nfs3Xdr.writePostOpAttr(out, f.fsid(), r.attrs());
          out.writeInt(r.data().length).writeBool(r.eof()).writeOpaque(r.data());
        }, (a, call, out) -> AttrProcedures.attrFailure(a.fh(), call, out), AttrProcedures.MAX_IO_BYTES + 256);

    t[7] = new Nfs3Procedure<WriteArgs>("WRITE", ex, DataProcedures::readWrite, (a, call, out) -> {
      NfsCall.Target f = call.writable(a.fh());
      if (a.offset() < 0) {
        throw new FsException(FsStatus.INVAL, "negative offset");
      }
      ByteBuf data = a.buffer().slice(a.buffer().readerIndex(), Math.min(a.count(), a.buffer().readableBytes()));
      DataOps.WriteResult r = f.fs().files.write(f.caller(), f.ino(), a.offset(), data, a.stable());
      out.writeInt(0);
      Nfs3Xdr.writeWcc(out, f.fsid(), r.change());
      out.writeInt(data.readableBytes()).writeInt(r.committed().ordinal()).writeFixedOpaque(verifier);
    }, (a, call, out) -> Nfs3Xdr.writeWccAfter(out, call.fsidOrZero(a.fh()), call.attrsOrNull(a.fh())), 256);

    t[21] = new Nfs3Procedure<CommitArgs>("COMMIT", ex, in -> new CommitArgs(Nfs3Xdr.readHandle(in), in.readHyper(),
        in.readUnsignedInt()), (a, call, out) -> {
          NfsCall.Target f = call.target(a.fh());
          Change c = f.fs().files.commit(f.ino());
          out.writeInt(0);
          Nfs3Xdr.writeWcc(out, f.fsid(), c);
          out.writeFixedOpaque(verifier);
        }, (a, call, out) -> Nfs3Xdr.writeWccAfter(out, call.fsidOrZero(a.fh()), call.attrsOrNull(a.fh())), 256);
  }

  private static WriteArgs readWrite(XdrReader in) {
    byte[] fh = Nfs3Xdr.readHandle(in);
    long offset = in.readHyper();
    long count = in.readUnsignedInt();
    DataOps.Stability how = DataOps.Stability.values()[in.readEnum(2)];
    ByteBuf data = in.readOpaqueSlice(AttrProcedures.MAX_IO_BYTES);
    return new WriteArgs(fh, offset, (int) Math.min(count, AttrProcedures.MAX_IO_BYTES), how, data);
  }
}

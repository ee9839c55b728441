package io.strata.nfs.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Reply headers (RFC 5531 section 9): accepted with a status, or denied. Verifiers are AUTH_NONE. */
public final class RpcReplies {
  private RpcReplies() {}

  /** Header of an accepted SUCCESS reply; the caller appends the results. */
  public static XdrWriter success(ByteBufAllocator alloc, int xid, int sizeHint) {
    XdrWriter w = new XdrWriter(alloc.buffer(24 + sizeHint));
    acceptedHeader(w, xid, Rpc.SUCCESS);
    return w;
  }

  public static ByteBuf accepted(ByteBufAllocator alloc, int xid, int acceptStat) {
    XdrWriter w = new XdrWriter(alloc.buffer(24));
    acceptedHeader(w, xid, acceptStat);
    return w.buffer();
  }

  public static ByteBuf progMismatch(ByteBufAllocator alloc, int xid, int low, int high) {
    XdrWriter w = new XdrWriter(alloc.buffer(32));
    acceptedHeader(w, xid, Rpc.PROG_MISMATCH);
    w.writeInt(low).writeInt(high);
    return w.buffer();
  }

  public static ByteBuf denied(ByteBufAllocator alloc, int xid, int rejectStat, int authStat) {
    XdrWriter w = new XdrWriter(alloc.buffer(24));
    w.writeInt(xid).writeInt(Rpc.REPLY).writeInt(Rpc.MSG_DENIED).writeInt(rejectStat);
    if (rejectStat == Rpc.RPC_MISMATCH) {
      w.writeInt(Rpc.RPC_VERSION).writeInt(Rpc.RPC_VERSION);
    } else {
      w.writeInt(authStat);
    }
    return w.buffer();
  }

  private static void acceptedHeader(XdrWriter w, int xid, int acceptStat) {
    w.writeInt(xid).writeInt(Rpc.REPLY).writeInt(Rpc.MSG_ACCEPTED)
        .writeInt(Credentials.AUTH_NONE).writeInt(0).writeInt(acceptStat);
  }
}

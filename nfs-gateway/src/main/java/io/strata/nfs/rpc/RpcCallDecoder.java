package io.strata.nfs.rpc;

import io.netty.buffer.ByteBuf;

/**
 * Pure decoding of one RPC record into a call, an immediate rejection, or nothing (a record too
 * short to carry an xid, or a REPLY, cannot be answered and is dropped). No I/O, no allocation
 * beyond the credentials, so it is fuzzed directly.
 */
public final class RpcCallDecoder {
  private RpcCallDecoder() {}

  /** The outcome of decoding one record. */
  public sealed interface Decoded permits Call, Rejected, Dropped {}

  public record Call(RpcCall call) implements Decoded {}

  /** A denied reply to send: {@code rejectStat} RPC_MISMATCH or AUTH_ERROR with {@code authStat}. */
  public record Rejected(int xid, int rejectStat, int authStat) implements Decoded {}

  public record Dropped(String why) implements Decoded {}

  public static Decoded decode(ByteBuf record) {
    XdrReader in = new XdrReader(record);
    if (in.remaining() < 8) {
      return new Dropped("record of " + in.remaining() + " bytes has no call header");
    }
    int xid = in.readInt();
    int type = in.readInt();
    if (type != Rpc.CALL) {
      return new Dropped("message type " + type + " is not a call");
    }
    try {
      if (in.readInt() != Rpc.RPC_VERSION) {
        return new Rejected(xid, Rpc.RPC_MISMATCH, 0);
      }
      int program = in.readInt();
      int version = in.readInt();
      int procedure = in.readInt();
      Credentials cred;
      try {
        cred = credentials(in.readInt(), in.readOpaque(Rpc.MAX_AUTH_BYTES));
      } catch (XdrException e) {
        return new Rejected(xid, Rpc.AUTH_ERROR, Rpc.AUTH_BADCRED);
      }
      if (cred == null) {
        return new Rejected(xid, Rpc.AUTH_ERROR, Rpc.AUTH_TOOWEAK);
      }
      try {
        in.readInt();
        in.readOpaque(Rpc.MAX_AUTH_BYTES);
      } catch (XdrException e) {
        return new Rejected(xid, Rpc.AUTH_ERROR, Rpc.AUTH_BADVERF);
      }
      return new Call(new RpcCall(xid, program, version, procedure, cred, record));
    } catch (XdrException e) {
      return new Rejected(xid, Rpc.AUTH_ERROR, Rpc.AUTH_BADCRED);
    }
  }

  /** AUTH_SYS or AUTH_NONE; null for a flavor we do not accept; throws on a malformed body. */
  static Credentials credentials(int flavor, byte[] body) {
    if (flavor == Credentials.AUTH_NONE) {
      return Credentials.ANONYMOUS;
    }
    if (flavor != Credentials.AUTH_SYS) {
      return null;
    }
    XdrReader in = new XdrReader(io.netty.buffer.Unpooled.wrappedBuffer(body));
    in.readInt();  // stamp
    String machine = in.readString(Credentials.MAX_MACHINE_NAME_BYTES);
    int uid = in.readInt();
    int gid = in.readInt();
    long n = in.readUnsignedInt();
    if (n > Credentials.MAX_GIDS) {
      throw new XdrException("AUTH_SYS carries " + n + " groups, at most " + Credentials.MAX_GIDS);
    }
    int[] gids = new int[(int) n];
    for (int i = 0; i < n; i++) {
      gids[i] = in.readInt();
    }
    if (in.remaining() != 0) {
      throw new XdrException("trailing bytes in AUTH_SYS credentials");
    }
    return new Credentials(Credentials.AUTH_SYS, uid, gid, gids, machine);
  }
}

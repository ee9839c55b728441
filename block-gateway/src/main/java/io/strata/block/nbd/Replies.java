package io.strata.block.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Encoders for everything the server sends; pure functions of their arguments. */
final class Replies {
  private Replies() {}

  static ByteBuf greeting(ByteBufAllocator a) {
    return a.buffer(18).writeLong(Nbd.NBDMAGIC).writeLong(Nbd.IHAVEOPT)
        .writeShort(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
  }

  static ByteBuf option(ByteBufAllocator a, int option, int type, ByteBuf data) {
    int n = data == null ? 0 : data.readableBytes();
    ByteBuf header = a.buffer(20).writeLong(Nbd.OPTION_REPLY_MAGIC).writeInt(option).writeInt(type).writeInt(n);
    return data == null ? header : Unpooled.wrappedBuffer(header, data);
  }

  static ByteBuf error(ByteBufAllocator a, int option, int type, String message) {
    return option(a, option, type, Unpooled.copiedBuffer(message, StandardCharsets.UTF_8));
  }

  static ByteBuf server(ByteBufAllocator a, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return option(a, Nbd.OPT_LIST, Nbd.REP_SERVER, a.buffer(4 + n.length).writeInt(n.length).writeBytes(n));
  }

  static ByteBuf infoExport(ByteBufAllocator a, int option, long size, int flags) {
    return option(a, option, Nbd.REP_INFO, a.buffer(12).writeShort(Nbd.INFO_EXPORT).writeLong(size).writeShort(flags));
  }

  static ByteBuf infoBlockSize(ByteBufAllocator a, int option) {
    return option(a, option, Nbd.REP_INFO, a.buffer(14).writeShort(Nbd.INFO_BLOCK_SIZE)
        .writeInt(Nbd.MIN_BLOCK_BYTES).writeInt(Nbd.PREFERRED_BLOCK_BYTES).writeInt(Nbd.MAX_PAYLOAD_BYTES));
  }

  /** The old-style answer to NBD_OPT_EXPORT_NAME: size, flags and (unless NO_ZEROES) 124 zeroes. */
  static ByteBuf exportName(ByteBufAllocator a, long size, int flags, boolean noZeroes) {
    ByteBuf b = a.buffer(134).writeLong(size).writeShort(flags);
    return noZeroes ? b : b.writeZero(124);
  }

  static ByteBuf simple(ByteBufAllocator a, int error, long handle) {
    return a.buffer(16).writeInt(Nbd.SIMPLE_REPLY_MAGIC).writeInt(error).writeLong(handle);
  }
}

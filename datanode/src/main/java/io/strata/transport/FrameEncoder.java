package io.strata.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Writes a {@link Frame} as a small prefix buffer followed by the payload buffer itself, so the
 * payload is never copied on the way out (the socket write gathers both).
 */
@ChannelHandler.Sharable
final class FrameEncoder extends ChannelOutboundHandlerAdapter {
  static final FrameEncoder INSTANCE = new FrameEncoder();

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof Frame f)) {
      ctx.write(msg, promise);
      return;
    }
    int headerBytes = f.header().getSerializedSize();
    int length = Frame.FIXED_BYTES + headerBytes + f.payload().readableBytes();
    ByteBuf prefix = ctx.alloc().directBuffer(Frame.PREFIX_BYTES + Frame.FIXED_BYTES + headerBytes);
    try {
      prefix.writeInt(length).writeByte(f.kind().code).writeLong(f.callId()).writeInt(headerBytes);
      byte[] h = f.header().toByteArray();
      prefix.writeBytes(h);
    } catch (RuntimeException e) {
      prefix.release();
      f.release();
      promise.setFailure(e);
      return;
    }
    if (f.payload().isReadable()) {
      ctx.write(prefix, ctx.voidPromise());
      ctx.write(f.payload(), promise);
    } else {
      f.release();
      ctx.write(prefix, promise);
    }
  }
}

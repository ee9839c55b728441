package io.strata.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * For frames written to the channel directly (the {@link Outbox} encodes its bursts itself).
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
    ByteBuf prefix = null;
    try {
      int headerBytes = f.header().getSerializedSize();
      prefix = ctx.alloc().directBuffer(Frame.PREFIX_BYTES + Frame.FIXED_BYTES + headerBytes);
      Outbox.encodePrefix(prefix, f, headerBytes, f.payload().readableBytes());
    } catch (RuntimeException e) {
      if (prefix != null) {
        prefix.release();
      }
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

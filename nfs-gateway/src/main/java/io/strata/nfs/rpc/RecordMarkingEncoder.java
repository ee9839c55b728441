package io.strata.nfs.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Frames each reply as one last fragment (RFC 5531 record marking); the body is not copied. */
@ChannelHandler.Sharable
public final class RecordMarkingEncoder extends MessageToMessageEncoder<ByteBuf> {
  public static final RecordMarkingEncoder INSTANCE = new RecordMarkingEncoder();

  @Override
  protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
    ByteBuf header = ctx.alloc().buffer(4).writeInt(0x80000000 | msg.readableBytes());
    out.add(header);
    out.add(msg.retain());
  }
}

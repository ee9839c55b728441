package io.strata.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Cuts the byte stream into {@link Frame}s. Each frame is copied once, from the socket's read
 * buffers into a buffer of exactly its size, and the payload is a slice of that buffer (no
 * further copies). A length outside 13..{@link Frame#MAX_FRAME_BYTES}, an unknown kind or an
 * unparsable header closes the connection: the peer is broken or hostile, and nothing it sent
 * after that can be trusted to be aligned on a frame.
 */
final class FrameDecoder extends ChannelInboundHandlerAdapter {
  private final ByteBuf lengthBytes;
  private ByteBuf frame;
  private boolean broken;

  FrameDecoder() {
    this.lengthBytes = io.netty.buffer.Unpooled.buffer(Frame.PREFIX_BYTES);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      while (in.isReadable() && !broken) {
        if (frame == null) {
          lengthBytes.writeBytes(in, Math.min(in.readableBytes(), lengthBytes.writableBytes()));
          if (lengthBytes.isWritable()) {
            return;
          }
          int length = lengthBytes.readInt();
          lengthBytes.clear();
          if (length < Frame.FIXED_BYTES || length > Frame.MAX_FRAME_BYTES) {
            fail(ctx, "frame length " + length + " outside " + Frame.FIXED_BYTES + ".." + Frame.MAX_FRAME_BYTES);
            return;
          }
          frame = length >= LargeBuffers.THRESHOLD ? LargeBuffers.directBuffer(length)
              : ctx.alloc().directBuffer(length, length);
        }
        frame.writeBytes(in, Math.min(in.readableBytes(), frame.writableBytes()));
        if (!frame.isWritable()) {
          ByteBuf complete = frame;
          frame = null;
          Frame f = parse(ctx, complete);
          if (f != null) {
            ctx.fireChannelRead(f);
          }
        }
      }
    } finally {
      in.release();
    }
  }

  /** Turns one complete frame buffer into a Frame (taking over its reference), or fails the channel. */
  private Frame parse(ChannelHandlerContext ctx, ByteBuf b) {
    try {
      Kind kind = Kind.of(b.readUnsignedByte());
      long callId = b.readLong();
      int headerBytes = b.readInt();
      if (kind == null || headerBytes < 0 || headerBytes > b.readableBytes()) {
        b.release();
        fail(ctx, "bad frame: kind " + kind + ", header of " + headerBytes + " bytes");
        return null;
      }
      MessageLite header = kind.parse(b.nioBuffer(b.readerIndex(), headerBytes));
      b.skipBytes(headerBytes);
      return new Frame(kind, callId, header, b);  // the payload is the rest of b
    } catch (InvalidProtocolBufferException | IndexOutOfBoundsException e) {
      b.release();
      fail(ctx, "unparsable frame header: " + e.getMessage());
      return null;
    }
  }

  private void fail(ChannelHandlerContext ctx, String why) {
    broken = true;
    ctx.fireExceptionCaught(new MalformedFrameException(why));
    ctx.close();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (frame != null) {
      frame.release();
      frame = null;
    }
    lengthBytes.release();
  }

  /** The peer sent bytes that are not a frame. */
  static final class MalformedFrameException extends RuntimeException {
    MalformedFrameException(String message) {
      super(message);
    }
  }
}

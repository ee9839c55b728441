package io.strata.block.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames the negotiation phase: first the client flags, then options ({@code IHAVEOPT}, option,
 * length, data). One message per call, so the handler can switch the pipeline to transmission
 * between two messages. Oversized options are skipped without buffering; a bad magic number
 * ends decoding for good (the stream cannot be resynchronised).
 */
public final class HandshakeDecoder extends ByteToMessageDecoder {
  private enum State { FLAGS, OPTION, SKIP, FAILED }

  private State state = State.FLAGS;
  private long skipRemaining;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    switch (state) {
      case FLAGS -> {
        if (in.readableBytes() >= 4) {
          out.add(new HandshakeMessage.ClientFlags(in.readInt()));
          state = State.OPTION;
        }
      }
      case OPTION -> decodeOption(in, out);
      case SKIP -> {
        int n = (int) Math.min(skipRemaining, in.readableBytes());
        in.skipBytes(n);
        skipRemaining -= n;
        if (skipRemaining == 0) {
          state = State.OPTION;
        }
      }
      case FAILED -> in.skipBytes(in.readableBytes());
    }
  }

  private void decodeOption(ByteBuf in, List<Object> out) {
    if (in.readableBytes() < 16) {
      return;
    }
    int start = in.readerIndex();
    if (in.getLong(start) != Nbd.IHAVEOPT) {
      state = State.FAILED;
      in.skipBytes(in.readableBytes());
      out.add(new HandshakeMessage.Malformed("option without IHAVEOPT magic"));
      return;
    }
    int code = in.getInt(start + 8);
    long length = in.getUnsignedInt(start + 12);
    if (length > Nbd.MAX_OPTION_BYTES) {
      in.skipBytes(16);
      skipRemaining = length;
      state = State.SKIP;
      out.add(new HandshakeMessage.OversizedOption(code, length));
      return;
    }
    if (in.readableBytes() < 16 + length) {
      return;
    }
    in.skipBytes(16);
    out.add(new HandshakeMessage.Option(code, in.readRetainedSlice((int) length)));
  }
}

package io.strata.block.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames transmission-phase requests: a 28-byte header, then for WRITE the payload. A payload
 * above {@link Nbd#MAX_PAYLOAD_BYTES} is skipped as it streams in (never buffered) and the
 * request is still emitted so the handler can answer it with an error. A bad magic number is
 * emitted as {@link HandshakeMessage.Malformed} and ends decoding.
 */
public final class RequestDecoder extends ByteToMessageDecoder {
  static final int HEADER_BYTES = 28;

  private enum State { HEADER, SKIP, FAILED }

  private State state = State.HEADER;
  private long skipRemaining;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    switch (state) {
      case HEADER -> decodeRequest(in, out);
      case SKIP -> {
        int n = (int) Math.min(skipRemaining, in.readableBytes());
        in.skipBytes(n);
        skipRemaining -= n;
        if (skipRemaining == 0) {
          state = State.HEADER;
        }
      }
      case FAILED -> in.skipBytes(in.readableBytes());
    }
  }

  private void decodeRequest(ByteBuf in, List<Object> out) {
    if (in.readableBytes() < HEADER_BYTES) {
      return;
    }
    int at = in.readerIndex();
    if (in.getInt(at) != Nbd.REQUEST_MAGIC) {
      state = State.FAILED;
      in.skipBytes(in.readableBytes());
      out.add(new HandshakeMessage.Malformed("request without NBD_REQUEST_MAGIC"));
      return;
    }
    int flags = in.getUnsignedShort(at + 4);
    int type = in.getUnsignedShort(at + 6);
    long handle = in.getLong(at + 8);
    long offset = in.getLong(at + 16);
    long length = in.getUnsignedInt(at + 24);
    if (type != Nbd.CMD_WRITE) {
      in.skipBytes(HEADER_BYTES);
      out.add(new NbdRequest(flags, type, handle, offset, length, null, false));
      return;
    }
    if (length > Nbd.MAX_PAYLOAD_BYTES) {
      in.skipBytes(HEADER_BYTES);
      skipRemaining = length;
      state = State.SKIP;
      out.add(new NbdRequest(flags, type, handle, offset, length, null, true));
      return;
    }
    if (in.readableBytes() < HEADER_BYTES + length) {
      return;
    }
    in.skipBytes(HEADER_BYTES);
    out.add(new NbdRequest(flags, type, handle, offset, length, in.readRetainedSlice((int) length), false));
  }
}

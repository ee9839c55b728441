package io.strata.transport;

import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;

/**
 * One message on a data connection: its kind, the call it belongs to, the protobuf header and
 * the payload bytes. The frame owns one reference to {@code payload}; whoever consumes the frame
 * releases it (the encoder does, once written).
 *
 * <p>Wire format, big-endian: {@code u32 length} (of what follows), {@code u8 kind},
 * {@code u64 callId}, {@code u32 headerLength}, header bytes, payload bytes.
 */
public record Frame(Kind kind, long callId, MessageLite header, ByteBuf payload) {
  static final int PREFIX_BYTES = 4;
  static final int FIXED_BYTES = 1 + 8 + 4;
  /** The largest chunk plus generous room for the header. */
  public static final int MAX_FRAME_BYTES = (8 << 20) + (64 << 10);

  public static Frame of(Kind kind, long callId, MessageLite header) {
    return new Frame(kind, callId, header, Unpooled.EMPTY_BUFFER);
  }

  public <T extends MessageLite> T header(Class<T> type) {
    return type.cast(header);
  }

  /** Releases the payload reference this frame holds. */
  public void release() {
    ReferenceCounted p = payload;
    if (p.refCnt() > 0) {
      p.release();
    }
  }
}

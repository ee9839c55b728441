package io.strata.transport;

import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Frames to one channel from any thread, written in bursts: the first frame of a burst schedules
 * one task on the channel's event loop, which encodes everything queued by then and flushes once.
 * Many replies or requests produced close together therefore cost one syscall, and no thread
 * ever blocks on the socket.
 *
 * <p>A burst is encoded into as few buffers as possible: prefixes, headers and small payloads
 * (up to {@link #COPY_PAYLOAD_BYTES}) are copied into one shared buffer, and only larger payloads
 * travel as buffers of their own. Writing each frame as its own prefix and payload messages cost
 * a pooled allocation, two pipeline traversals and two outbound-buffer entries per frame: the
 * largest share of the data event loops' CPU in the 4 KiB write profile (docs/benchmarks.md).
 */
final class Outbox {
  static final int COPY_PAYLOAD_BYTES = 16 << 10;
  static final int BURST_BUFFER_BYTES = 64 << 10;

  private final Channel channel;
  private final Queue<Frame> queue = PlatformDependent.newMpscQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;

  Outbox(Channel channel) {
    this.channel = channel;
  }

  void send(Frame f) {
    queue.offer(f);
    if (scheduled.compareAndSet(false, true)) {
      try {
        channel.eventLoop().execute(drain);
      } catch (RuntimeException e) {  // the event loop is shutting down
        scheduled.set(false);
        discard();
      }
    }
  }

  private void drain() {
    scheduled.set(false);
    if (!channel.isActive()) {
      discard();
      return;
    }
    ByteBuf burst = null;
    boolean wrote = false;
    Frame f;
    while ((f = queue.poll()) != null) {
      int payloadBytes = f.payload().readableBytes();
      boolean copy = payloadBytes <= COPY_PAYLOAD_BYTES;
      int headerBytes;
      try {
        headerBytes = f.header().getSerializedSize();
      } catch (RuntimeException e) {
        f.release();
        continue;
      }
      int need = Frame.PREFIX_BYTES + Frame.FIXED_BYTES + headerBytes + (copy ? payloadBytes : 0);
      if (burst != null && burst.writableBytes() < need) {
        channel.write(burst, channel.voidPromise());
        burst = null;
      }
      if (burst == null) {
        burst = channel.alloc().directBuffer(Math.max(need, BURST_BUFFER_BYTES));
      }
      try {
        encodePrefix(burst, f, headerBytes, payloadBytes);
        if (copy) {
          burst.writeBytes(f.payload(), f.payload().readerIndex(), payloadBytes);
        }
      } catch (RuntimeException e) {
        burst.release();
        f.release();
        channel.close();  // a half-written frame: nothing after it would be aligned
        discard();
        return;
      }
      wrote = true;
      if (copy) {
        f.release();
      } else {
        channel.write(burst, channel.voidPromise());
        burst = null;
        channel.write(f.payload(), channel.voidPromise());  // the reference passes to the channel
      }
    }
    if (burst != null) {
      channel.write(burst, channel.voidPromise());
    }
    if (wrote) {
      channel.flush();
    }
  }

  /** Length, kind, call id, header length and the header itself (see {@link Frame}). */
  static void encodePrefix(ByteBuf out, Frame f, int headerBytes, int payloadBytes) {
    out.writeInt(Frame.FIXED_BYTES + headerBytes + payloadBytes).writeByte(f.kind().code).writeLong(f.callId())
        .writeInt(headerBytes);
    if (headerBytes > 0) {
      out.ensureWritable(headerBytes);
      CodedOutputStream cos = CodedOutputStream.newInstance(out.internalNioBuffer(out.writerIndex(), headerBytes));
      try {
        f.header().writeTo(cos);
        cos.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.writerIndex(out.writerIndex() + headerBytes);
    }
  }

  /** Releases whatever could not be sent (the channel closed). */
  void discard() {
    Frame f;
    while ((f = queue.poll()) != null) {
      f.release();
    }
  }
}

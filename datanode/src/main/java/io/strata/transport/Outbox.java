package io.strata.transport;

import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Frames to one channel from any thread, written in bursts: the first frame of a burst schedules
 * one task on the channel's event loop, which writes everything queued by then and flushes once.
 * Many replies or requests produced close together therefore cost one syscall, and no thread
 * ever blocks on the socket.
 */
final class Outbox {
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
    Frame f;
    boolean wrote = false;
    while ((f = queue.poll()) != null) {
      channel.write(f, channel.voidPromise());
      wrote = true;
    }
    if (wrote) {
      channel.flush();
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

package io.strata.transport;

import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The reply to one request, as a frame handed to {@code out}; a service that answers twice has a
 * bug, and the second answer's payload is released and the call throws.
 */
final class OnceReply implements DataService.Reply {
  private final Kind kind;
  private final long callId;
  private final Consumer<Frame> out;
  private final AtomicBoolean answered = new AtomicBoolean();

  OnceReply(Frame request, Consumer<Frame> out) {
    this.kind = Kind.of(request.kind().code + 1);
    this.callId = request.callId();
    this.out = out;
  }

  @Override
  public void send(MessageLite header, ByteBuf payload) {
    if (!answered.compareAndSet(false, true)) {
      payload.release();
      throw new IllegalStateException("request " + callId + " answered twice");
    }
    out.accept(new Frame(kind, callId, header, payload));
  }
}

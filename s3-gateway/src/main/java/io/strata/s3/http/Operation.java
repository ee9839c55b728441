package io.strata.s3.http;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * One S3 request being executed. The connection handler feeds it the decoded, not yet verified
 * payload ({@link #content}, on the event loop: copy what you keep, do not block), asks
 * {@link #ready()} before reading more, and calls {@link #end} once the body is complete and its
 * signatures and checksums hold. Only {@code end} may commit anything.
 */
public interface Operation {
  CompletableFuture<Void> READY = CompletableFuture.completedFuture(null);

  /** Whether a body is expected (decides the 100-continue answer and body limits). */
  default boolean acceptsBody() {
    return false;
  }

  default void content(ByteBuf payload) {
    // bodies of requests that take none are ignored, as S3 does
  }

  default CompletableFuture<Void> ready() {
    return READY;
  }

  /**
   * Runs on the worker pool right after routing, before any of the body is read. A read-only
   * operation (GET, HEAD) does its work here rather than on a second trip through the pool
   * after the (empty, ignored) body: nothing commits, and its reply still waits until the body
   * has been received and verified.
   */
  default void beforeBody() {}

  CompletableFuture<Reply> end(BodyResult body);

  /** The request failed or the connection went away: drop buffers, discard partial data. */
  default void abort() {}
}

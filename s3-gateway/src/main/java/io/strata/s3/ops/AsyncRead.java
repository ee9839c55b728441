package io.strata.s3.ops;

import io.strata.s3.http.BodyResult;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A read-only operation whose work is asynchronous (a metadata read and non-blocking steps
 * after it): started in {@link #beforeBody()}, its reply handed over once the body is verified.
 */
final class AsyncRead implements Operation {
  private final Supplier<CompletableFuture<Reply>> work;
  private CompletableFuture<Reply> reply;

  AsyncRead(Supplier<CompletableFuture<Reply>> work) {
    this.work = work;
  }

  @Override
  public void beforeBody() {
    try {
      reply = work.get();
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Reply> end(BodyResult body) {
    if (reply == null) {
      beforeBody();
    }
    return reply;
  }
}

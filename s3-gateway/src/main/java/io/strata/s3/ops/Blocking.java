package io.strata.s3.ops;

import io.strata.s3.http.BodyResult;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * An operation without a body whose work (metadata calls) runs on the worker pool: after the
 * body for operations that change something, already in {@link #beforeBody()} (on the worker
 * that authenticated the request) for read-only ones.
 */
final class Blocking implements Operation {
  private final ExecutorService workers;
  private final Supplier<Reply> work;
  private final boolean readOnly;
  private CompletableFuture<Reply> early;

  Blocking(ExecutorService workers, Supplier<Reply> work) {
    this(workers, work, false);
  }

  private Blocking(ExecutorService workers, Supplier<Reply> work, boolean readOnly) {
    this.workers = workers;
    this.work = work;
    this.readOnly = readOnly;
  }

  /** Work that only reads, so it may run before the body is verified. */
  static Blocking readOnly(ExecutorService workers, Supplier<Reply> work) {
    return new Blocking(workers, work, true);
  }

  @Override
  public void beforeBody() {
    if (!readOnly) {
      return;
    }
    CompletableFuture<Reply> f = new CompletableFuture<>();
    try {
      f.complete(work.get());
    } catch (Throwable t) {
      f.completeExceptionally(t);
    }
    early = f;  // read by end() on the event loop, which the hand-over of this operation orders after
  }

  @Override
  public CompletableFuture<Reply> end(BodyResult body) {
    return early != null ? early : CompletableFuture.supplyAsync(work, workers);
  }
}

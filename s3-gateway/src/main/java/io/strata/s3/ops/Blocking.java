package io.strata.s3.ops;

import io.strata.s3.http.BodyResult;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/** An operation without a body whose work (metadata calls) runs on the worker pool. */
final class Blocking implements Operation {
  private final ExecutorService workers;
  private final Supplier<Reply> work;

  Blocking(ExecutorService workers, Supplier<Reply> work) {
    this.workers = workers;
    this.work = work;
  }

  @Override
  public CompletableFuture<Reply> end(BodyResult body) {
    return CompletableFuture.supplyAsync(work, workers);
  }
}

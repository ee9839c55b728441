package io.strata.s3.store;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The clean-ups of aborted uploads still running (drain the chunk writes in flight, then hand
 * the data to the GC), so a stopping gateway can wait for them before it stops its workers.
 * Without the wait a clean-up could be cut off halfway, and the upload's chunks stayed until a
 * later sweep found its intent or garbage record.
 */
public final class PendingCleanups {
  private final Set<CompletableFuture<?>> running = ConcurrentHashMap.newKeySet();

  public void add(CompletableFuture<?> cleanup) {
    running.add(cleanup);
    cleanup.whenComplete((v, t) -> running.remove(cleanup));
  }

  /** Waits up to {@code limit} for the clean-ups running now; what does not finish is left to the sweep. */
  public void await(Duration limit) {
    try {
      CompletableFuture.allOf(running.toArray(new CompletableFuture[0])).get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // a failed or slow clean-up leaves its intent or garbage record to the sweep
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

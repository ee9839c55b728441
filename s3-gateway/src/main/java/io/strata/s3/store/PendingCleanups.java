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
 * Without the wait the intent was left for the 24 h sweep, and a sweep forced sooner could delete
 * a chunk that a write still in flight then wrote again.
 */
public final class PendingCleanups {
  private final Set<CompletableFuture<?>> running = ConcurrentHashMap.newKeySet();

  public void add(CompletableFuture<?> cleanup) {
    running.add(cleanup);
    cleanup.whenComplete((v, t) -> running.remove(cleanup));
  }

  /** Waits up to {@code limit} for the clean-ups running now; returns whether all finished. */
  public boolean await(Duration limit) {
    try {
      CompletableFuture.allOf(running.toArray(new CompletableFuture[0])).get(limit.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      return true;  // a failed clean-up leaves its intent to the sweep, as before
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

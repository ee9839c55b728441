package io.strata.datanode.replication;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The epoch barrier between fence checks and map changes on one datanode. A primary checks a
 * write's fence and starts it (version, local enqueue, forwards) under the read lock; a barrier
 * takes the write lock once, after the newer map is installed, so every write admitted under an
 * older map has started by then, and then waits for all of those to finish. After a barrier at
 * epoch E no write admitted under a map older than E is still going anywhere.
 */
final class WriteAdmission {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

  /** Runs {@code start} (the check and the start of the write) admitted, and tracks its outcome. */
  <T> CompletableFuture<T> admit(Supplier<CompletableFuture<T>> start) {
    lock.readLock().lock();
    try {
      CompletableFuture<T> f = start.get();
      if (!f.isDone()) {
        inFlight.add(f);
        f.whenComplete((r, t) -> inFlight.remove(f));
      }
      return f;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Completes when every write admitted before this call has finished (successfully or not). */
  CompletableFuture<Void> drain() {
    lock.writeLock().lock();
    CompletableFuture<?>[] pending;
    try {
      pending = inFlight.toArray(new CompletableFuture<?>[0]);
    } finally {
      lock.writeLock().unlock();
    }
    return CompletableFuture.allOf(pending).handle((v, t) -> null);
  }
}

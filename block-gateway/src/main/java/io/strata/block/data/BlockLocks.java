package io.strata.block.data;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Serializes read-modify-write operations on one block without blocking a thread: each
 * operation starts when the previous one on that block has finished. Two partial writes to
 * different sectors of one block would otherwise each read the old block and one would be lost.
 */
final class BlockLocks {
  private final Map<Long, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

  <T> CompletableFuture<T> serialize(long block, Supplier<CompletableFuture<T>> op) {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    CompletableFuture<Void> previous = tails.put(block, gate);
    CompletableFuture<Void> start = previous == null ? CompletableFuture.completedFuture(null) : previous;
    CompletableFuture<T> result = new CompletableFuture<>();
    start.whenComplete((v, e) -> {
      CompletableFuture<T> f;
      try {
        f = op.get();
      } catch (RuntimeException ex) {
        f = CompletableFuture.failedFuture(ex);
      }
      f.whenComplete((r, err) -> {
        tails.remove(block, gate);
        gate.complete(null);
        if (err != null) {
          result.completeExceptionally(err);
        } else {
          result.complete(r);
        }
      });
    });
    return result;
  }

  int held() {
    return tails.size();
  }
}

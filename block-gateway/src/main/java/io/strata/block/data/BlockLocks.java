package io.strata.block.data;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Serializes read-modify-write operations on one block without blocking a thread: each
 * operation starts when the previous one on that block has finished. Two partial writes to
 * different sectors of one block would otherwise each read the old block and one would be lost.
 * Whatever the operation does, even throw an Error, its result completes and the block is
 * released: a stranded tail would hang every later request on that block.
 */
final class BlockLocks {
  private final Map<Long, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

  <T> CompletableFuture<T> serialize(long block, Supplier<CompletableFuture<T>> op) {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    CompletableFuture<Void> previous = tails.put(block, gate);
    CompletableFuture<T> result = new CompletableFuture<>();
    if (previous == null) {
      run(block, gate, op, result);
    } else {
      previous.whenComplete((v, e) -> run(block, gate, op, result));
    }
    return result;
  }

  private <T> void run(long block, CompletableFuture<Void> gate, Supplier<CompletableFuture<T>> op,
                       CompletableFuture<T> result) {
    CompletableFuture<T> f;
    try {
      f = op.get();
    } catch (Throwable t) {
      f = CompletableFuture.failedFuture(t);
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
  }

  int held() {
    return tails.size();
  }
}

package io.strata.block.data;

import io.strata.client.ChunkClient;
import io.strata.client.Fence;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Placement groups holding writes that completed but may not be durable yet. A write notes its
 * group when it completes (before its reply is sent), so a FLUSH that arrives later sees it. A
 * flush forgets a group only if no write noted it again meanwhile: a write completing during the
 * flush keeps its group dirty for the next one.
 */
final class DirtyGroups {
  private final ChunkClient chunks;
  private final int poolId;
  private final Fence fence;
  private final Map<Integer, Long> dirty = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  DirtyGroups(ChunkClient chunks, int poolId, Fence fence) {
    this.chunks = chunks;
    this.poolId = poolId;
    this.fence = fence;
  }

  void note(int pg) {
    dirty.put(pg, sequence.incrementAndGet());
  }

  CompletableFuture<Void> flush() {
    Map<Integer, Long> seen = new HashMap<>(dirty);
    if (seen.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return chunks.flush(poolId, seen.keySet(), fence).thenRun(() -> seen.forEach(dirty::remove));
  }
}

package io.strata.block.data;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.Fence;
import io.strata.proto.ChunkId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * Which blocks of a volume hold a chunk: one bit per block, stored as 4 KiB chunks of its own
 * object and loaded page by page on first use. A bit is made durable before the block's data is
 * written and cleared only after its chunk is deleted, so the stored map is a superset of the
 * blocks that exist. That is what volume deletion (no chunk listing needed) and used-bytes
 * accounting rely on. Reads never consult it: a chunk is the truth about its own block.
 */
public final class AllocationMap {
  private final ChunkClient chunks;
  private final int poolId;
  private final long volumeId;
  private final IntConsumer written;
  private final Fence fence;
  private final Map<Long, CompletableFuture<MapPage>> pages = new ConcurrentHashMap<>();

  AllocationMap(ChunkClient chunks, int poolId, long volumeId, IntConsumer written, Fence fence) {
    this.chunks = chunks;
    this.poolId = poolId;
    this.volumeId = volumeId;
    this.written = written;
    this.fence = fence;
  }

  /** A read-only view for accounting and deletion by someone who does not serve I/O. */
  public static AllocationMap reader(ChunkClient chunks, int poolId, long volumeId) {
    return new AllocationMap(chunks, poolId, volumeId, pg -> { }, Fence.NONE);
  }

  CompletableFuture<Void> markAllocated(long block) {
    return page(block).thenCompose(p -> p.set(bitOf(block)));
  }

  CompletableFuture<Void> markFree(long block) {
    return page(block).thenCompose(p -> p.clear(bitOf(block)));
  }

  CompletableFuture<Boolean> isAllocated(long block) {
    return page(block).thenApply(p -> p.get(bitOf(block)));
  }

  private static int bitOf(long block) {
    return (int) (block % DataLayout.BLOCKS_PER_MAP_PAGE);
  }

  private CompletableFuture<MapPage> page(long block) {
    long index = block / DataLayout.BLOCKS_PER_MAP_PAGE;
    CompletableFuture<MapPage> f = pages.computeIfAbsent(index, this::load);
    f.whenComplete((p, e) -> {
      if (e != null) {
        pages.remove(index, f);  // a failed load must not stick: the next caller tries again
      }
    });
    return f;
  }

  private CompletableFuture<MapPage> load(long index) {
    ChunkId id = chunks.chunkId(poolId, DataLayout.mapObject(volumeId), index);
    return chunks.read(id, 0, 0).thenApply(stored -> new MapPage(chunks, id,
        stored.orElse(ByteString.EMPTY), written, fence));
  }

  /** Blocks whose bit is set among the first {@code blocks}; loads every page. */
  public long allocatedBlocks(long blocks) {
    long n = 0;
    for (long i = 0; i < DataLayout.mapPages(blocks); i++) {
      n += page(i * DataLayout.BLOCKS_PER_MAP_PAGE).join().count();
    }
    return n;
  }

  /** The allocated block numbers of one page, for deletion. */
  public List<Long> allocatedIn(long pageIndex) {
    MapPage p = page(pageIndex * DataLayout.BLOCKS_PER_MAP_PAGE).join();
    List<Long> out = new ArrayList<>();
    for (int bit = 0; bit < DataLayout.BLOCKS_PER_MAP_PAGE; bit++) {
      if (p.get(bit)) {
        out.add(pageIndex * DataLayout.BLOCKS_PER_MAP_PAGE + bit);
      }
    }
    return out;
  }

  /** Deletes the map's own chunks (the last step of deleting a volume). */
  public void deletePages(long blocks) {
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (long i = 0; i < DataLayout.mapPages(blocks); i++) {
      all.add(chunks.delete(chunks.chunkId(poolId, DataLayout.mapObject(volumeId), i)));
    }
    all.forEach(CompletableFuture::join);
  }
}

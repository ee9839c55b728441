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
 * One bit per unit of {@code blocksPerUnit} blocks, stored as 4 KiB pages (chunks of its own
 * object) and loaded page by page on first use. Two disciplines use it (see {@link LayerFormat}):
 * a durable map whose bit is set — and made durable — before the unit's first write, so it is a
 * superset of what exists ({@link #markAllocated}); and a lazily kept one whose changes are made
 * durable in batches ({@link #setLater}, {@link #syncDirty}).
 */
public final class AllocationMap {
  private final ChunkClient chunks;
  private final int poolId;
  private final ByteString object;
  private final int blocksPerUnit;
  private final IntConsumer written;
  private final Fence fence;
  private final boolean merged;
  private final Map<Long, CompletableFuture<MapPage>> pages = new ConcurrentHashMap<>();

  /**
   * With {@code merged} every page write is an OR-merge on the storage ({@link ChunkClient#writeMerged}),
   * so several devices writing one map (shared attachments) never drop each other's bits; only
   * for maps whose bits are never cleared.
   */
  AllocationMap(ChunkClient chunks, int poolId, ByteString object, int blocksPerUnit, IntConsumer written, Fence fence,
                boolean merged) {
    this.chunks = chunks;
    this.merged = merged;
    this.poolId = poolId;
    this.object = object;
    this.blocksPerUnit = blocksPerUnit;
    this.written = written;
    this.fence = fence;
  }

  /** A read-only view for accounting and deletion by someone who does not serve I/O. */
  public static AllocationMap reader(ChunkClient chunks, int poolId, ByteString object, int blocksPerUnit) {
    return new AllocationMap(chunks, poolId, object, blocksPerUnit, pg -> { }, Fence.NONE, false);
  }

  public int blocksPerUnit() {
    return blocksPerUnit;
  }

  /** Sets the block's unit bit; completes once a page write that includes it has completed. */
  CompletableFuture<Void> markAllocated(long block) {
    return page(block).thenCompose(p -> p.set(bitOf(block)));
  }

  /** Clears the bit and schedules a write; callers need not wait (an extra set bit only over-counts). */
  CompletableFuture<Void> markFree(long block) {
    return page(block).thenCompose(p -> p.clear(bitOf(block)));
  }

  /** Sets the bit in memory; it becomes durable with the next {@link #syncDirty}. */
  void setLater(long block) {
    page(block).thenAccept(p -> p.setLater(bitOf(block)));
  }

  void clearLater(long block) {
    page(block).thenAccept(p -> p.clearLater(bitOf(block)));
  }

  /** Writes every page changed in memory; completes when they are all stored. */
  CompletableFuture<Void> syncDirty() {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    pages.values().forEach(f -> all.add(f.thenCompose(MapPage::sync)));
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]));
  }

  CompletableFuture<Boolean> isAllocated(long block) {
    return page(block).thenApply(p -> p.get(bitOf(block)));
  }

  /** Re-reads the block's page and merges bits set by other writers (bits are only ever set by them). */
  CompletableFuture<Boolean> isAllocatedFresh(long block) {
    long index = pageOf(block);
    return page(block).thenCompose(p -> chunks.read(pageChunk(index), 0, 0).thenApply(stored -> {
      stored.ifPresent(p::merge);
      return p.get(bitOf(block));
    }));
  }

  private long unitOf(long block) {
    return block / blocksPerUnit;
  }

  private int bitOf(long block) {
    return (int) (unitOf(block) % DataLayout.BLOCKS_PER_MAP_PAGE);
  }

  private long pageOf(long block) {
    return unitOf(block) / DataLayout.BLOCKS_PER_MAP_PAGE;
  }

  private ChunkId pageChunk(long index) {
    return chunks.chunkId(poolId, object, index);
  }

  private CompletableFuture<MapPage> page(long block) {
    long index = pageOf(block);
    CompletableFuture<MapPage> f = pages.computeIfAbsent(index, this::load);
    if (!f.isDone()) {
      f.whenComplete((p, e) -> {
        if (e != null) {
          pages.remove(index, f);  // a failed load must not stick: the next caller tries again
        }
      });
    } else if (f.isCompletedExceptionally()) {
      pages.remove(index, f);
    }
    return f;
  }

  private CompletableFuture<MapPage> load(long index) {
    ChunkId id = pageChunk(index);
    return chunks.read(id, 0, 0).thenApply(stored -> new MapPage(chunks, id,
        stored.orElse(ByteString.EMPTY), written, fence, merged));
  }

  private long pagesFor(long blocks) {
    return DataLayout.mapPages((blocks + blocksPerUnit - 1) / blocksPerUnit);
  }

  /** Blocks whose unit bit is set among the first {@code blocks} (units x blocks per unit); loads every page. */
  public long allocatedBlocks(long blocks) {
    long n = 0;
    for (long i = 0; i < pagesFor(blocks); i++) {
      n += page(i * DataLayout.BLOCKS_PER_MAP_PAGE * blocksPerUnit).join().count();
    }
    return n * blocksPerUnit;
  }

  /** Pages covering {@code blocks} blocks. */
  public long pages(long blocks) {
    return pagesFor(blocks);
  }

  /** The first block of every unit whose bit is set in page {@code pageIndex}, for deletion. */
  public List<Long> allocatedIn(long pageIndex) {
    MapPage p = page(pageIndex * DataLayout.BLOCKS_PER_MAP_PAGE * blocksPerUnit).join();
    List<Long> out = new ArrayList<>();
    for (int bit = 0; bit < DataLayout.BLOCKS_PER_MAP_PAGE; bit++) {
      if (p.get(bit)) {
        out.add((pageIndex * DataLayout.BLOCKS_PER_MAP_PAGE + bit) * blocksPerUnit);
      }
    }
    return out;
  }

  /** Deletes the map's own chunks (the last step of deleting a layer). */
  public void deletePages(long blocks) {
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (long i = 0; i < pagesFor(blocks); i++) {
      all.add(chunks.delete(pageChunk(i)));
    }
    all.forEach(CompletableFuture::join);
  }
}

package io.strata.block.data;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.ChunkException;
import io.strata.client.Fence;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Asynchronous I/O on one volume, shared by every connection of one gateway that serves it. A
 * whole-block write is one chunk put into the top layer; a partial one reads the block (through
 * the layers), patches and rewrites it. Mutations of one block are serialized
 * ({@link BlockLocks}) so the allocation map stays exact. A block of zeroes is stored as no chunk,
 * unless a snapshot below holds that block: then explicit zeroes must hide it.
 */
public final class BlockDevice {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final int BLOCK = DataLayout.BLOCK_SIZE_BYTES;
  private static final ByteString ZERO_BLOCK = ByteString.copyFrom(new byte[BLOCK]);

  private final ChunkClient chunks;
  private final long volumeId;
  private final Fence fence;
  private final DirtyGroups dirty;
  private final BlockLocks locks = new BlockLocks();
  private final AsyncGate gate = new AsyncGate();
  private volatile LayerChain chain;
  private volatile long sizeBytes;
  private volatile String fencedBecause;

  /**
   * Every mutation (data, map pages, flushes) carries {@code fence}: once a takeover raised the
   * volume's fence above it, datanodes refuse them, and this device fences itself on the first refusal.
   */
  public BlockDevice(ChunkClient chunks, int poolId, long volumeId, List<Long> layers, long sizeBytes, Fence fence) {
    this.chunks = chunks;
    this.volumeId = volumeId;
    this.fence = fence;
    this.dirty = new DirtyGroups(chunks, poolId, fence);
    this.chain = LayerChain.of(chunks, poolId, layers, dirty::note, fence);
    this.sizeBytes = sizeBytes;
  }

  public BlockDevice(ChunkClient chunks, int poolId, long volumeId, List<Long> layers, long sizeBytes) {
    this(chunks, poolId, volumeId, layers, sizeBytes, Fence.NONE);
  }

  public BlockDevice(ChunkClient chunks, int poolId, long volumeId, long sizeBytes) {
    this(chunks, poolId, volumeId, List.of(volumeId), sizeBytes);
  }

  public long volumeId() {
    return volumeId;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public List<Long> layers() {
    return chain.ids();
  }

  /** Volumes only grow while open; a shrink would cut blocks from under connected clients. */
  public synchronized void grow(long newSizeBytes) {
    if (newSizeBytes > sizeBytes) {
      sizeBytes = newSizeBytes;
    }
  }

  /**
   * Stops all further mutations here: another holder took the volume over. Writes already on their
   * way are refused by the datanodes themselves (they carry the fence token).
   */
  public void fence(String reason) {
    fencedBecause = reason;
  }

  public boolean fenced() {
    return fencedBecause != null;
  }

  /** Waits for in-flight mutations, holds new ones, and flushes: the volume is then snapshot-consistent. */
  public CompletableFuture<Void> pause() {
    return gate.pause().thenCompose(v -> dirty.flush());
  }

  /** After a snapshot: new writes go to {@code newTop}; the old top becomes a frozen layer. */
  public void resume(long newTop) {
    chain = chain.pushTop(newTop, dirty::note);
    gate.resume();
  }

  public void resume() {
    gate.resume();
  }

  private void checkWritable() {
    String why = fencedBecause;
    if (why != null) {
      throw new FencedException("volume " + volumeId + " fenced: " + why);
    }
  }

  private void checkRange(long offset, long length) {
    if (offset < 0 || length < 0 || offset + length > sizeBytes || offset + length < offset) {
      throw new IllegalArgumentException("range " + offset + "+" + length + " outside volume "
          + volumeId + " of " + sizeBytes + " bytes");
    }
  }

  public CompletableFuture<byte[]> read(long offset, int length) {
    checkRange(offset, length);
    byte[] out = new byte[length];
    LayerChain c = chain;
    return BlockRange.forEach(offset, length, p -> c.read(p.block(), p.within(), p.length())
        .thenAccept(stored -> stored.ifPresent(b ->
            b.copyTo(out, 0, p.requestOffset(), Math.min(b.size(), p.length())))))
        .thenApply(v -> out);
  }

  /** Writes {@code data} at {@code offset}; with {@code fua} each block is durable before completion. */
  public CompletableFuture<Void> write(long offset, ByteString data, boolean fua) {
    checkWritable();
    checkRange(offset, data.size());
    return mutation(() -> {
      LayerChain c = chain;
      return BlockRange.forEach(offset, data.size(), p -> {
        ByteString part = data.substring(p.requestOffset(), p.requestOffset() + p.length());
        return locks.serialize(p.block(), () -> p.whole() ? storeBlock(c, p.block(), part, fua) : patchBlock(c, p, part, fua));
      });
    });
  }

  /**
   * Zeroes a range. With {@code trustMap} (TRIM, which may be a no-op) blocks the top map says
   * were never written are skipped without an RPC, which makes discarding a fresh disk cheap.
   */
  public CompletableFuture<Void> zero(long offset, long length, boolean fua, boolean trustMap) {
    checkWritable();
    checkRange(offset, length);
    CompletableFuture<Void> all = mutation(() -> {
      LayerChain c = chain;
      return BlockRange.forEach(offset, length, p -> locks.serialize(p.block(), () -> p.whole()
          ? zeroBlock(c, p.block(), trustMap)
          : patchBlock(c, p, ByteString.copyFrom(new byte[p.length()]), false)));
    });
    // One flush of everything dirty at the end instead of one per block.
    return fua ? all.thenCompose(v -> dirty.flush()) : all;
  }

  /** Makes every write that completed before this call durable on every acting replica. */
  public CompletableFuture<Void> flush() {
    if (fenced()) {
      return CompletableFuture.failedFuture(new FencedException("volume " + volumeId + " fenced: " + fencedBecause));
    }
    return watchFence(dirty.flush());
  }

  /** The first CHUNK_FENCED refusal fences the whole device, so later requests fail at once. */
  private <T> CompletableFuture<T> watchFence(CompletableFuture<T> f) {
    return f.whenComplete((v, e) -> {
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof ChunkException c && c.status() == ChunkStatus.CHUNK_FENCED && !fenced()) {
        fence("the storage refused a write: " + c.getMessage());
      }
    });
  }

  private CompletableFuture<Void> mutation(Supplier<CompletableFuture<Void>> op) {
    return gate.enter().thenCompose(v -> {
      CompletableFuture<Void> f;
      try {
        f = op.get();
      } catch (Throwable t) {  // an Error too: the gate must be left, or a snapshot waits forever
        f = CompletableFuture.failedFuture(t);
      }
      return watchFence(f).whenComplete((x, e) -> gate.exit());
    });
  }

  private CompletableFuture<Void> patchBlock(LayerChain c, BlockRange.Piece p, ByteString part, boolean fua) {
    return c.read(p.block(), 0, 0).thenCompose(old -> {
      if (old.isEmpty() && isZero(part)) {
        return DONE;  // zeroes over a hole stay a hole
      }
      byte[] block = new byte[BLOCK];
      old.ifPresent(b -> b.copyTo(block, 0, 0, Math.min(b.size(), BLOCK)));
      part.copyTo(block, p.within());
      return storeBlock(c, p.block(), ByteString.copyFrom(block), fua);
    });
  }

  private CompletableFuture<Void> storeBlock(LayerChain c, long block, ByteString data, boolean fua) {
    if (isZero(data)) {
      CompletableFuture<Void> zeroed = zeroBlock(c, block, false);
      return fua ? zeroed.thenCompose(v -> dirty.flush()) : zeroed;
    }
    return putChunk(c, block, data, fua);
  }

  private CompletableFuture<Void> putChunk(LayerChain c, long block, ByteString data, boolean fua) {
    ChunkId id = c.topChunk(block);
    // The map bit is durable before the data exists, so the stored map never misses a block.
    return c.top().map().markAllocated(block)
        .thenCompose(v -> chunks.write(id, data, fua, fence))
        .thenRun(() -> dirty.note(id.getPg()));
  }

  private CompletableFuture<Void> zeroBlock(LayerChain c, long block, boolean trustMap) {
    CompletableFuture<Boolean> hidden = c.layered() ? c.lowerHas(block) : CompletableFuture.completedFuture(false);
    return hidden.thenCompose(lower -> {
      if (lower) {
        return putChunk(c, block, ZERO_BLOCK, false);  // a hole would show the snapshot's data
      }
      if (!trustMap) {
        return dropBlock(c, block);
      }
      return c.top().map().isAllocated(block).thenCompose(used -> used ? dropBlock(c, block) : DONE);
    });
  }

  private CompletableFuture<Void> dropBlock(LayerChain c, long block) {
    ChunkId id = c.topChunk(block);
    return chunks.delete(id, fence).thenRun(() -> {
      dirty.note(id.getPg());
      c.top().map().markFree(block);  // not awaited: a stale set bit only over-counts
    });
  }

  static boolean isZero(ByteString b) {
    ByteBuffer buf = b.asReadOnlyByteBuffer();
    while (buf.remaining() >= Long.BYTES) {
      if (buf.getLong() != 0) {
        return false;
      }
    }
    while (buf.hasRemaining()) {
      if (buf.get() != 0) {
        return false;
      }
    }
    return true;
  }

  /** Blocks of the top layer that hold data, for used-bytes accounting. */
  public long allocatedBlocks() {
    return chain.top().map().allocatedBlocks(sizeBytes / BLOCK);
  }
}

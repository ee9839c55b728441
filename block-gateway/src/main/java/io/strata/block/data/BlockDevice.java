package io.strata.block.data;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.proto.ChunkId;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Asynchronous I/O on one volume's blocks, shared by every connection of one gateway that serves
 * the volume. A whole-block write is one chunk put; a partial one reads, patches and rewrites its
 * block. All mutations of one block are serialized ({@link BlockLocks}) so the allocation map
 * stays exact; reads go straight to the chunks. A block of zeroes is stored as no chunk.
 */
public final class BlockDevice {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final int BLOCK = DataLayout.BLOCK_SIZE_BYTES;

  private final ChunkClient chunks;
  private final int poolId;
  private final long volumeId;
  private final ByteString object;
  private final DirtyGroups dirty;
  private final AllocationMap map;
  private final BlockLocks locks = new BlockLocks();
  private volatile long sizeBytes;
  private volatile String fencedBecause;

  public BlockDevice(ChunkClient chunks, int poolId, long volumeId, long sizeBytes) {
    this.chunks = chunks;
    this.poolId = poolId;
    this.volumeId = volumeId;
    this.object = DataLayout.dataObject(volumeId);
    this.dirty = new DirtyGroups(chunks, poolId);
    this.map = new AllocationMap(chunks, poolId, volumeId, dirty::note);
    this.sizeBytes = sizeBytes;
  }

  public long volumeId() {
    return volumeId;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  /** Volumes only grow while open; a shrink would cut blocks from under connected clients. */
  public synchronized void grow(long newSizeBytes) {
    if (newSizeBytes > sizeBytes) {
      sizeBytes = newSizeBytes;
    }
  }

  /**
   * Stops all further mutations: another holder took the volume over. Writes already sent to the
   * datanodes cannot be recalled; storage-side fencing would need the epoch on every chunk write.
   */
  public void fence(String reason) {
    fencedBecause = reason;
  }

  public boolean fenced() {
    return fencedBecause != null;
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

  private ChunkId id(long block) {
    return chunks.chunkId(poolId, object, block);
  }

  public CompletableFuture<byte[]> read(long offset, int length) {
    checkRange(offset, length);
    byte[] out = new byte[length];
    return BlockRange.forEach(offset, length, p -> chunks.read(id(p.block()), p.within(), p.length())
        .thenAccept(stored -> stored.ifPresent(b ->
            b.copyTo(out, 0, p.requestOffset(), Math.min(b.size(), p.length())))))
        .thenApply(v -> out);
  }

  /** Writes {@code data} at {@code offset}; with {@code fua} each block is durable before completion. */
  public CompletableFuture<Void> write(long offset, ByteString data, boolean fua) {
    checkWritable();
    checkRange(offset, data.size());
    return BlockRange.forEach(offset, data.size(), p -> {
      ByteString part = data.substring(p.requestOffset(), p.requestOffset() + p.length());
      if (p.whole()) {
        return locks.serialize(p.block(), () -> storeBlock(p.block(), part, fua));
      }
      return locks.serialize(p.block(), () -> patchBlock(p, part, fua));
    });
  }

  /**
   * Zeroes a range: whole blocks lose their chunk, partial ones are patched. With
   * {@code trustMap} (TRIM, which may be a no-op) blocks the map says were never written are
   * skipped without an RPC, which makes discarding a whole fresh disk cheap.
   */
  public CompletableFuture<Void> zero(long offset, long length, boolean fua, boolean trustMap) {
    checkWritable();
    checkRange(offset, length);
    CompletableFuture<Void> all = BlockRange.forEach(offset, length, p -> locks.serialize(p.block(), () -> {
      if (!p.whole()) {
        return patchBlock(p, ByteString.copyFrom(new byte[p.length()]), false);
      }
      if (!trustMap) {
        return dropBlock(p.block());
      }
      return map.isAllocated(p.block()).thenCompose(used -> used ? dropBlock(p.block()) : DONE);
    }));
    // One flush of everything dirty at the end instead of one per block.
    return fua ? all.thenCompose(v -> dirty.flush()) : all;
  }

  /** Makes every write that completed before this call durable on every acting replica. */
  public CompletableFuture<Void> flush() {
    if (fenced()) {
      return CompletableFuture.failedFuture(new FencedException("volume " + volumeId + " fenced: " + fencedBecause));
    }
    return dirty.flush();
  }

  private CompletableFuture<Void> patchBlock(BlockRange.Piece p, ByteString part, boolean fua) {
    return chunks.read(id(p.block()), 0, 0).thenCompose(old -> {
      if (old.isEmpty() && isZero(part)) {
        return DONE;  // zeroes over a hole stay a hole
      }
      byte[] block = new byte[BLOCK];
      old.ifPresent(b -> b.copyTo(block, 0, 0, Math.min(b.size(), BLOCK)));
      part.copyTo(block, p.within());
      return storeBlock(p.block(), ByteString.copyFrom(block), fua);
    });
  }

  private CompletableFuture<Void> storeBlock(long block, ByteString data, boolean fua) {
    if (isZero(data)) {
      CompletableFuture<Void> dropped = dropBlock(block);
      return fua ? dropped.thenCompose(v -> dirty.flush()) : dropped;
    }
    ChunkId id = id(block);
    // The map bit is durable before the data exists, so the stored map never misses a block.
    return map.markAllocated(block)
        .thenCompose(v -> chunks.write(id, data, fua))
        .thenRun(() -> dirty.note(id.getPg()));
  }

  private CompletableFuture<Void> dropBlock(long block) {
    ChunkId id = id(block);
    return chunks.delete(id).thenRun(() -> {
      dirty.note(id.getPg());
      map.markFree(block);  // not awaited: a stale set bit only over-counts
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

  /** Blocks that hold data (from the allocation map), for used-bytes accounting. */
  public long allocatedBlocks() {
    return map.allocatedBlocks(sizeBytes / BLOCK);
  }

}

package io.strata.block.data;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.strata.client.ChunkClient;
import io.strata.client.ChunkException;
import io.strata.client.ClusterMapCache;
import io.strata.client.Fence;
import io.strata.transport.EventLoops;
import io.strata.proto.ChunkStatus;
import io.strata.proto.PoolInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Asynchronous I/O on one volume, shared by every connection of one gateway that serves one
 * attachment of it. Writes and zeroing go block by block through {@link BlockMutations},
 * serialised per block ({@link BlockLocks}) so the maps stay exact. Every mutation carries the
 * attachment's fence. Bytes stay in Netty buffers end to end: a write's blocks are slices of the
 * request buffer handed to the transport, and a read is a composite of the transport's reply buffers.
 */
public final class BlockDevice {
  /** Chunk operations one request keeps in flight: a 1 MiB request at once, a 32 MiB one in 32 rounds. */
  static final int BLOCK_PARALLELISM = 256;
  /** Extent reads (one message each) one request keeps in flight. */
  static final int EXTENT_READ_PARALLELISM = 8;
  /** Extents one zeroing request examines at once. */
  static final int EXTENT_PARALLELISM = 4;
  private static final int BLOCK = DataLayout.BLOCK_SIZE_BYTES;

  private final ChunkClient chunks;
  private final long volumeId;
  private final Fence fence;
  private final DirtyGroups dirty;
  private final BlockMutations mutations;
  private final BlockLocks locks = new BlockLocks();
  private final AsyncGate gate = new AsyncGate();
  private volatile LayerChain chain;
  private volatile long sizeBytes;
  private volatile String fencedBecause;

  /**
   * Every mutation (data, map pages, flushes) carries {@code fence}: once a takeover raised the
   * volume's fence above it, datanodes refuse them, and this device fences itself on the first refusal.
   */
  public BlockDevice(ChunkClient chunks, int poolId, long volumeId, List<Long> layers,
                     long sizeBytes, LayerFormat format, Fence fence) {
    this.chunks = chunks;
    this.volumeId = volumeId;
    this.fence = fence;
    this.dirty = new DirtyGroups(chunks, poolId, fence);
    this.mutations = new BlockMutations(chunks, dirty, fence);
    this.chain = LayerChain.of(chunks, poolId, pgCount(chunks, poolId), format, layers, dirty::note, fence);
    this.sizeBytes = sizeBytes;
  }

  public static int pgCount(ChunkClient chunks, int poolId) {
    PoolInfo p = ClusterMapCache.pool(chunks.maps().current(), poolId)
        .or(() -> ClusterMapCache.pool(chunks.maps().refresh(), poolId))
        .orElseThrow(() -> new ChunkException(ChunkStatus.CHUNK_INVALID, "no pool " + poolId));
    return p.getPgCount();
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

  /**
   * Ends this device: later mutations fail at once; completes when those already running have
   * finished and (unless fenced) everything is durable. Nothing of a closed device writes again.
   * That matters at a handover: whoever serves the volume next (a restarted gateway, the next
   * connection here) loads the maps from storage, and a late map-page write of ours, from a
   * request still running when its client went away, would overwrite bits set since.
   */
  public CompletableFuture<Void> close() {
    return gate.close().thenCompose(v -> fenced() ? CompletableFuture.<Void>completedFuture(null) : watchFence(durable()));
  }

  /** Waits for in-flight mutations, holds new ones, and flushes: the volume is then snapshot-consistent. */
  public CompletableFuture<Void> pause() {
    return gate.pause().thenCompose(v -> durable());
  }

  /** After a snapshot: new writes go to {@code newTop}; the old top becomes a frozen layer. */
  public void resume(long newTop) {
    chain = chain.pushTop(newTop, dirty::note);
    gate.resume();
  }

  public void resume() {
    gate.resume();
  }

  /**
   * Refuses mutations once fenced. The cluster map this gateway already holds carries the fences,
   * so a takeover it has heard of stops even writes that would need no RPC (zeroes over a hole).
   */
  private void checkWritable() {
    if (fencedBecause == null && !fence.isNone() && !Fence.admits(chunks.maps().current(), fence.toProto())) {
      fence("the volume's fence is above this attachment's epoch " + fence.epoch());
    }
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

  /** The range as an array (tests and tools); the NBD server uses {@link #readBuffer}. */
  public CompletableFuture<byte[]> read(long offset, int length) {
    return readBuffer(offset, length).thenApply(b -> {
      try {
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
      } finally {
        b.release();
      }
    });
  }

  /**
   * The range as one buffer of exactly {@code length} bytes, the caller's to release: the
   * transport's verified chunk buffers in order, holes and short chunks filled with shared zeroes.
   */
  public CompletableFuture<ByteBuf> readBuffer(long offset, int length) {
    checkRange(offset, length);
    LayerChain c = chain;
    ReadAssembly parts = new ReadAssembly(offset, length);
    CompletableFuture<Void> all;
    if (c.format().hasBlockMap()) {
      // V2: an extent's blocks share a placement group, so each extent is one message to its primary.
      long extentBytes = (long) c.format().blocksPerExtent() * BLOCK;
      all = BlockRange.forEachUnit(offset, length, extentBytes, EXTENT_READ_PARALLELISM, (from, to) -> {
        List<BlockRange.Piece> pieces = BlockRange.pieces(from, to - from);
        return c.readExtent(pieces).thenCompose(found -> {
          CompletableFuture<?>[] each = new CompletableFuture<?>[pieces.size()];
          for (int i = 0; i < each.length; i++) {
            BlockRange.Piece p = pieces.get(i);
            each[i] = found.get(i).thenAccept(stored -> parts.put(p, stored.orElse(null)));
          }
          return CompletableFuture.allOf(each);
        });
      });
    } else {
      all = BlockRange.forEach(offset, length, BLOCK_PARALLELISM, p -> c.read(p.block(), p.within(), p.length())
          .thenAccept(stored -> parts.put(p, stored.orElse(null))));
    }
    return all
        .handle((v, err) -> {
          if (err != null) {
            parts.abandon();
            throw err instanceof CompletionException ce ? ce : new CompletionException(err);
          }
          return parts.assemble();
        });
  }

  /** The pieces of one read as they arrive; released whole if the read fails. */
  private static final class ReadAssembly {
    private final long first;
    private final ByteBuf[] pieces;
    private final int[] lengths;
    private boolean abandoned;

    ReadAssembly(long offset, int length) {
      first = offset / BLOCK;
      int n = length == 0 ? 0 : (int) ((offset + length - 1) / BLOCK - first + 1);
      pieces = new ByteBuf[n];
      lengths = new int[n];
    }

    synchronized void put(BlockRange.Piece p, ByteBuf stored) {
      int i = (int) (p.block() - first);
      lengths[i] = p.length();
      if (stored == null) {
        return;
      }
      if (abandoned) {
        stored.release();
        return;
      }
      pieces[i] = stored;
    }

    synchronized void abandon() {
      abandoned = true;
      for (int i = 0; i < pieces.length; i++) {
        if (pieces[i] != null) {
          pieces[i].release();
          pieces[i] = null;
        }
      }
    }

    synchronized ByteBuf assemble() {
      if (pieces.length == 1) {
        return whole(pieces[0], lengths[0]);
      }
      CompositeByteBuf out = EventLoops.ALLOCATOR.compositeDirectBuffer(2 * pieces.length + 1);
      for (int i = 0; i < pieces.length; i++) {
        ByteBuf b = pieces[i];
        int have = b == null ? 0 : Math.min(b.readableBytes(), lengths[i]);
        if (b != null && have > 0) {
          out.addComponent(true, b.readableBytes() == have ? b : b.retainedSlice(b.readerIndex(), have));
          if (b.readableBytes() != have) {
            b.release();
          }
        } else if (b != null) {
          b.release();
        }
        if (have < lengths[i]) {
          out.addComponent(true, BlockMutations.zeroes(lengths[i] - have));
        }
      }
      return out;
    }

    private static ByteBuf whole(ByteBuf b, int length) {
      if (b != null && b.readableBytes() == length) {
        return b;
      }
      int have = b == null ? 0 : Math.min(b.readableBytes(), length);
      if (have == 0) {
        if (b != null) {
          b.release();
        }
        return BlockMutations.zeroes(length);
      }
      return Unpooled.wrappedBuffer(b.retainedSlice(b.readerIndex(), have), BlockMutations.zeroes(length - have));
    }
  }

  /** Writes {@code data} at {@code offset}; with {@code fua} each block is durable before completion. */
  public CompletableFuture<Void> write(long offset, ByteString data, boolean fua) {
    return write(offset, Unpooled.wrappedBuffer(data.asReadOnlyByteBuffer()), fua);
  }

  /**
   * Writes {@code data} at {@code offset}, taking over the caller's reference to it (released when
   * the write has finished); with {@code fua} each block is durable before completion.
   */
  public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
    try {
      checkWritable();
      checkRange(offset, data.readableBytes());
    } catch (RuntimeException e) {
      data.release();
      throw e;
    }
    int base = data.readerIndex();
    return mutation(() -> {
      LayerChain c = chain;
      return BlockRange.forEach(offset, data.readableBytes(), BLOCK_PARALLELISM, p -> locks.serialize(p.block(),
          () -> mutations.write(c, p, data.retainedSlice(base + p.requestOffset(), p.length()), fua)));
    }).whenComplete((v, e) -> data.release());
  }

  /**
   * Zeroes a range, extent by extent: an extent nothing was ever written to (in this layer or
   * below) is skipped whole, which makes discarding a fresh disk cheap. With {@code trustMap}
   * (TRIM) blocks the top layer's block map calls unwritten are skipped too.
   */
  public CompletableFuture<Void> zero(long offset, long length, boolean fua, boolean trustMap) {
    checkWritable();
    checkRange(offset, length);
    CompletableFuture<Void> all = mutation(() -> {
      LayerChain c = chain;
      long extentBytes = (long) c.format().blocksPerExtent() * BLOCK;
      return BlockRange.forEachUnit(offset, length, extentBytes, EXTENT_PARALLELISM,
          (from, to) -> maybeTouched(c, from / BLOCK, trustMap).thenCompose(touched -> !touched
              ? CompletableFuture.<Void>completedFuture(null)
              : BlockRange.forEach(from, to - from, BLOCK_PARALLELISM, p -> locks.serialize(p.block(), () -> p.whole()
                  ? mutations.zero(c, p.block(), trustMap)
                  : mutations.patch(c, p, BlockMutations.zeroes(p.length()), false)))));
    });
    // One flush of everything dirty at the end instead of one per block.
    return fua ? all.thenCompose(v -> dirty.flush()) : all;
  }

  /** Whether any layer may hold data in the extent of {@code block} (V1: the block itself). */
  private CompletableFuture<Boolean> maybeTouched(LayerChain c, long block, boolean trustMap) {
    CompletableFuture<Boolean> top = trustMap ? c.top().extents().isAllocated(block) : mutations.mayHold(c, block);
    return top.thenCompose(t -> t || !c.layered() ? CompletableFuture.completedFuture(t) : c.lowerHas(block));
  }

  /** Makes every write that completed before this call durable on every acting replica. */
  public CompletableFuture<Void> flush() {
    try {
      checkWritable();
    } catch (FencedException e) {
      return CompletableFuture.failedFuture(e);
    }
    return watchFence(durable());
  }

  /** The block map's pending bits, then every dirty group (including the map's own pages). */
  private CompletableFuture<Void> durable() {
    return chain.top().syncBlockMap().thenCompose(v -> dirty.flush());
  }

  /** The first CHUNK_FENCED refusal fences the whole device, so later requests fail at once. */
  private <T> CompletableFuture<T> watchFence(CompletableFuture<T> f) {
    return f.whenComplete((v, e) -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
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

  /** Blocks of the top layer that hold data, for used-bytes accounting. */
  public long allocatedBlocks() {
    return chain.top().blocks().allocatedBlocks(sizeBytes / BLOCK);
  }
}

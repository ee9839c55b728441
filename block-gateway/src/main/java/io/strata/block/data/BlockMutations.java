package io.strata.block.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.strata.client.ChunkClient;
import io.strata.client.Fence;
import io.strata.transport.EventLoops;
import io.strata.proto.ChunkId;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * What one block's write or zeroing does to the chunks and maps of a layer chain. Callers
 * serialise operations per block ({@link BlockLocks}). A whole-block write is one chunk put into
 * the top layer after its durable map bit; a partial one reads the block through the layers,
 * patches and rewrites it. Zeroes are stored as an empty chunk (no data, and it hides the layers
 * below), or not at all where nothing could show through.
 *
 * <p>Data travels as Netty buffers: a whole block is a slice of the NBD request's own buffer and
 * goes to the transport without a copy. Each method that takes a buffer takes over its reference.
 */
final class BlockMutations {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final int BLOCK = DataLayout.BLOCK_SIZE_BYTES;

  private final ChunkClient chunks;
  private final DirtyGroups dirty;
  private final Fence fence;

  BlockMutations(ChunkClient chunks, DirtyGroups dirty, Fence fence) {
    this.chunks = chunks;
    this.dirty = dirty;
    this.fence = fence;
  }

  /** Takes over {@code part} (this block's bytes of the request). */
  CompletableFuture<Void> write(LayerChain c, BlockRange.Piece p, ByteBuf part, boolean fua) {
    return p.whole() ? store(c, p.block(), part, fua) : patch(c, p, part, fua);
  }

  /** Read-modify-write of part of a block; takes over {@code part}. */
  CompletableFuture<Void> patch(LayerChain c, BlockRange.Piece p, ByteBuf part, boolean fua) {
    CompletableFuture<java.util.Optional<ByteBuf>> old;
    try {
      old = c.read(p.block(), 0, 0);
    } catch (Throwable t) {
      part.release();
      throw t;
    }
    return old.handle((stored, err) -> {
      if (err != null) {
        part.release();
        return CompletableFuture.<Void>failedFuture(err);
      }
      if (stored.isEmpty() && isZero(part)) {
        part.release();
        return DONE;  // zeroes over a hole stay a hole
      }
      ByteBuf block = EventLoops.ALLOCATOR.directBuffer(BLOCK, BLOCK);
      stored.ifPresent(b -> {
        try {
          block.writeBytes(b, b.readerIndex(), Math.min(b.readableBytes(), BLOCK));
        } finally {
          b.release();
        }
      });
      block.writeZero(BLOCK - block.writerIndex());
      try {
        block.setBytes(p.within(), part, part.readerIndex(), part.readableBytes());
      } finally {
        part.release();
      }
      return store(c, p.block(), block, fua);
    }).thenCompose(f -> f);
  }

  /** Takes over {@code data}. */
  private CompletableFuture<Void> store(LayerChain c, long block, ByteBuf data, boolean fua) {
    if (isZero(data)) {
      data.release();
      CompletableFuture<Void> zeroed = zero(c, block, false);
      return fua ? zeroed.thenCompose(v -> dirty.flush()) : zeroed;
    }
    return put(c, block, data, fua).thenRun(() -> c.top().stored(block));
  }

  /** The chunk put, after the block's durable map bit (its extent's in V2: once per MiB); takes over {@code data}. */
  private CompletableFuture<Void> put(LayerChain c, long block, ByteBuf data, boolean fua) {
    Layer top = c.top();
    ChunkId id = top.chunk(block);
    return top.extents().markAllocated(block)
        .handle((v, err) -> {
          if (err != null) {
            data.release();
            return CompletableFuture.<Long>failedFuture(err);
          }
          return chunks.write(id, data, fua, fence);
        })
        .thenCompose(f -> f)
        .thenRun(() -> dirty.note(id.getPg()));
  }

  /**
   * Zeroes one block. With {@code trustMap} (TRIM, which may legally leave data) a block the maps
   * say was never written is skipped without an RPC.
   */
  CompletableFuture<Void> zero(LayerChain c, long block, boolean trustMap) {
    CompletableFuture<Boolean> hidden = c.layered() ? c.lowerHas(block) : CompletableFuture.completedFuture(false);
    return hidden.thenCompose(lower -> {
      if (lower) {
        return put(c, block, Unpooled.EMPTY_BUFFER, false).thenRun(() -> c.top().zeroed(block));  // a hole would show old data
      }
      if (c.format() == LayerFormat.V1) {
        return zeroV1(c, block, trustMap);
      }
      CompletableFuture<Boolean> present = trustMap ? c.top().blocks().isAllocated(block) : mayHold(c, block);
      return present.thenCompose(has -> has
          ? put(c, block, Unpooled.EMPTY_BUFFER, false).thenRun(() -> c.top().zeroed(block)) : DONE);
    });
  }

  /** Whether the top layer may hold the block: its extent bit, re-read if clear (another gateway may have set it). */
  CompletableFuture<Boolean> mayHold(LayerChain c, long block) {
    AllocationMap ext = c.top().extents();
    return ext.isAllocated(block).thenCompose(has -> has ? CompletableFuture.completedFuture(true)
        : ext.isAllocatedFresh(block));
  }

  /** Legacy layers: delete the chunk, then clear its bit (not awaited: a stale set bit only over-counts). */
  private CompletableFuture<Void> zeroV1(LayerChain c, long block, boolean trustMap) {
    CompletableFuture<Boolean> used = trustMap ? c.top().extents().isAllocated(block) : CompletableFuture.completedFuture(true);
    return used.thenCompose(u -> {
      if (!u) {
        return DONE;
      }
      ChunkId id = c.top().chunk(block);
      return chunks.delete(id, fence).thenRun(() -> {
        dirty.note(id.getPg());
        c.top().extents().markFree(block);
      });
    });
  }

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(BLOCK).asReadOnlyBuffer();

  /** Whether every readable byte is zero; vectorised ({@link ByteBuffer#mismatch}), as it runs for every block written. */
  static boolean isZero(ByteBuf b) {
    for (ByteBuffer buf : b.nioBuffers()) {
      while (buf.hasRemaining()) {
        int n = Math.min(buf.remaining(), BLOCK);
        ByteBuffer part = buf.slice().limit(n);
        if (part.mismatch(ZEROS.slice().limit(n)) != -1) {
          return false;
        }
        buf.position(buf.position() + n);
      }
    }
    return true;
  }

  /** A read-only direct buffer of {@code n} <= one block of zeroes, nothing to release. */
  static ByteBuf zeroes(int n) {
    return Unpooled.wrappedBuffer(ZEROS.slice().limit(n));
  }
}

package io.strata.block.data;

import io.netty.buffer.ByteBuf;
import io.strata.client.ChunkClient;
import io.strata.client.Fence;
import io.strata.proto.ChunkId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * A volume's layers, top first. The top layer takes every write; the layers below are frozen
 * snapshots. A block is read from the top chunk if it exists (a stored empty chunk means zeroes
 * that hide the layers below), else from the first lower layer whose (immutable, hence safely
 * cached) durable map has its extent and whose chunk exists, else it is zero. The top layer is
 * always asked directly because another gateway may have written it. Reads go over the datanodes'
 * framed transport and hand back its (CRC-verified, direct) buffers without copying.
 */
final class LayerChain {
  private final ChunkClient chunks;
  private final int poolId;
  private final int pgCount;
  private final LayerFormat format;
  private final Layer top;
  private final List<Layer> lower;
  private final Fence fence;

  private LayerChain(ChunkClient chunks, int poolId, int pgCount, LayerFormat format, Layer top,
                     List<Layer> lower, Fence fence) {
    this.chunks = chunks;
    this.poolId = poolId;
    this.pgCount = pgCount;
    this.format = format;
    this.top = top;
    this.lower = List.copyOf(lower);
    this.fence = fence;
  }

  /** {@code fence} goes with every write of the top layer's maps (its data writes carry it too). */
  static LayerChain of(ChunkClient chunks, int poolId, int pgCount, LayerFormat format,
                       List<Long> layers, IntConsumer written, Fence fence) {
    Layer top = Layer.writable(chunks, poolId, pgCount, layers.get(0), format, written, fence);
    List<Layer> lower = new ArrayList<>();
    for (long id : layers.subList(1, layers.size())) {
      lower.add(Layer.readOnly(chunks, poolId, pgCount, id, format));
    }
    return new LayerChain(chunks, poolId, pgCount, format, top, lower, fence);
  }

  /** The chain after a snapshot: a new top over this chain, keeping the maps already loaded. */
  LayerChain pushTop(long newTop, IntConsumer written) {
    List<Layer> below = new ArrayList<>();
    below.add(top);
    below.addAll(lower);
    return new LayerChain(chunks, poolId, pgCount, format,
        Layer.writable(chunks, poolId, pgCount, newTop, format, written, fence), below, fence);
  }

  List<Long> ids() {
    List<Long> ids = new ArrayList<>(List.of(top.id()));
    lower.forEach(l -> ids.add(l.id()));
    return ids;
  }

  Layer top() {
    return top;
  }

  LayerFormat format() {
    return format;
  }

  boolean layered() {
    return !lower.isEmpty();
  }

  /**
   * {@code length} bytes at {@code within} of the block as the chain shows it (length 0 = all),
   * possibly fewer (a stored empty chunk is a zero block); the caller releases the buffer.
   */
  CompletableFuture<Optional<ByteBuf>> read(long block, int within, int length) {
    return chunks.readBuffer(top.chunk(block), within, length)
        .thenCompose(b -> b.isPresent() ? CompletableFuture.completedFuture(b) : readLower(0, block, within, length));
  }

  /**
   * Like {@link #read} for each piece, the top layer's chunks of all of them in one message: the
   * pieces lie in one extent, which a V2 layer keeps in one placement group. Completes when that
   * message has answered, with one future per piece.
   */
  CompletableFuture<List<CompletableFuture<Optional<ByteBuf>>>> readExtent(List<BlockRange.Piece> pieces) {
    int n = pieces.size();
    List<ChunkId> ids = new ArrayList<>(n);
    int[] offsets = new int[n];
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      BlockRange.Piece p = pieces.get(i);
      ids.add(top.chunk(p.block()));
      offsets[i] = p.within();
      lengths[i] = p.length();
    }
    return chunks.readBatch(ids, offsets, lengths).thenApply(found -> {
      List<CompletableFuture<Optional<ByteBuf>>> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        BlockRange.Piece p = pieces.get(i);
        out.add(found.get(i).thenCompose(b -> b.isPresent() ? CompletableFuture.completedFuture(b)
            : readLower(0, p.block(), p.within(), p.length())));
      }
      return out;
    });
  }

  private CompletableFuture<Optional<ByteBuf>> readLower(int i, long block, int within, int length) {
    if (i == lower.size()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Layer l = lower.get(i);
    return l.extents().isAllocated(block).thenCompose(has -> {
      if (!has) {
        return readLower(i + 1, block, within, length);
      }
      return chunks.readBuffer(l.chunk(block), within, length)
          .thenCompose(b -> b.isPresent() ? CompletableFuture.completedFuture(b) : readLower(i + 1, block, within, length));
    });
  }

  /** Whether some frozen layer may hold the block (its extent is in a lower durable map). */
  CompletableFuture<Boolean> lowerHas(long block) {
    CompletableFuture<Boolean> f = CompletableFuture.completedFuture(false);
    for (Layer l : lower) {
      f = f.thenCompose(found -> found ? CompletableFuture.completedFuture(true) : l.extents().isAllocated(block));
    }
    return f;
  }
}

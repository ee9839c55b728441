package io.strata.block.data;

import com.google.protobuf.ByteString;
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
 * snapshots. A block is read from the top chunk if it exists, else from the first lower layer
 * whose (immutable, hence safely cached) allocation map has it, else it is zero. The top layer is
 * always asked directly because another gateway may have written it.
 */
final class LayerChain {
  record Layer(long id, ByteString object, AllocationMap map) {}

  private final ChunkClient chunks;
  private final int poolId;
  private final Layer top;
  private final List<Layer> lower;
  private final Fence fence;

  private LayerChain(ChunkClient chunks, int poolId, Layer top, List<Layer> lower, Fence fence) {
    this.fence = fence;
    this.chunks = chunks;
    this.poolId = poolId;
    this.top = top;
    this.lower = List.copyOf(lower);
  }

  /** {@code fence} goes with every write of the top layer's map (its data writes carry it too). */
  static LayerChain of(ChunkClient chunks, int poolId, List<Long> layers, IntConsumer written, Fence fence) {
    Layer top = new Layer(layers.get(0), DataLayout.dataObject(layers.get(0)),
        new AllocationMap(chunks, poolId, layers.get(0), written, fence));
    List<Layer> lower = new ArrayList<>();
    for (long id : layers.subList(1, layers.size())) {
      lower.add(new Layer(id, DataLayout.dataObject(id), AllocationMap.reader(chunks, poolId, id)));
    }
    return new LayerChain(chunks, poolId, top, lower, fence);
  }

  /** The chain after a snapshot: a new top over this chain, keeping the maps already loaded. */
  LayerChain pushTop(long newTop, IntConsumer written) {
    List<Layer> below = new ArrayList<>();
    below.add(top);
    below.addAll(lower);
    return new LayerChain(chunks, poolId, new Layer(newTop, DataLayout.dataObject(newTop),
        new AllocationMap(chunks, poolId, newTop, written, fence)), below, fence);
  }

  List<Long> ids() {
    List<Long> ids = new ArrayList<>(List.of(top.id()));
    lower.forEach(l -> ids.add(l.id()));
    return ids;
  }

  Layer top() {
    return top;
  }

  ChunkId topChunk(long block) {
    return chunks.chunkId(poolId, top.object(), block);
  }

  boolean layered() {
    return !lower.isEmpty();
  }

  /** {@code length} bytes at {@code within} of the block as the chain shows it (length 0 = all). */
  CompletableFuture<Optional<ByteString>> read(long block, int within, int length) {
    return chunks.read(topChunk(block), within, length)
        .thenCompose(b -> b.isPresent() ? CompletableFuture.completedFuture(b) : readLower(0, block, within, length));
  }

  private CompletableFuture<Optional<ByteString>> readLower(int i, long block, int within, int length) {
    if (i == lower.size()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Layer l = lower.get(i);
    return l.map().isAllocated(block).thenCompose(has -> {
      if (!has) {
        return readLower(i + 1, block, within, length);
      }
      return chunks.read(chunks.chunkId(poolId, l.object(), block), within, length)
          .thenCompose(b -> b.isPresent() ? CompletableFuture.completedFuture(b) : readLower(i + 1, block, within, length));
    });
  }

  /** Whether some frozen layer holds the block, i.e. a hole in the top would show old data. */
  CompletableFuture<Boolean> lowerHas(long block) {
    CompletableFuture<Boolean> f = CompletableFuture.completedFuture(false);
    for (Layer l : lower) {
      f = f.thenCompose(found -> found ? CompletableFuture.completedFuture(true) : l.map().isAllocated(block));
    }
    return f;
  }
}

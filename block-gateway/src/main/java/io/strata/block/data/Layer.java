package io.strata.block.data;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.Fence;
import io.strata.common.Hashing;
import io.strata.proto.ChunkId;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * One layer of a volume: where its blocks live and which of them may exist. The top layer of a
 * served volume takes writes; lower layers are frozen snapshots, read only.
 */
final class Layer {
  private final long id;
  private final LayerFormat format;
  private final ByteString object;
  private final long objectHash;
  private final int poolId;
  private final int pgCount;
  private final AllocationMap extents;
  private final AllocationMap blocks;  // == extents in V1

  private Layer(long id, LayerFormat format, int poolId, int pgCount, AllocationMap extents, AllocationMap blocks) {
    this.id = id;
    this.format = format;
    this.object = DataLayout.dataObject(id);
    this.objectHash = Hashing.hash64(object.toByteArray());
    this.poolId = poolId;
    this.pgCount = pgCount;
    this.extents = extents;
    this.blocks = blocks;
  }

  /** A writable layer: map writes carry {@code fence} and note their groups as dirty. */
  static Layer writable(ChunkClient chunks, int poolId, int pgCount, long id, LayerFormat format,
                        IntConsumer written, Fence fence) {
    // V2 extent bits are only ever set, so their pages merge on the storage: devices of several
    // shared attachments (here or in other gateways) keep each other's bits. V1 clears extent
    // bits, and V2's block map clears lazily; a lost bit there only skews accounting and TRIM.
    AllocationMap ext = new AllocationMap(chunks, poolId, format.extentMapObject(id), format.blocksPerExtent(), written,
        fence, format.hasBlockMap());
    AllocationMap blk = format.hasBlockMap()
        ? new AllocationMap(chunks, poolId, DataLayout.mapObject(id), 1, written, fence, false) : ext;
    return new Layer(id, format, poolId, pgCount, ext, blk);
  }

  /** A frozen layer, or any layer seen by someone who does not write it. */
  static Layer readOnly(ChunkClient chunks, int poolId, int pgCount, long id, LayerFormat format) {
    AllocationMap ext = AllocationMap.reader(chunks, poolId, format.extentMapObject(id), format.blocksPerExtent());
    AllocationMap blk = format.hasBlockMap() ? AllocationMap.reader(chunks, poolId, DataLayout.mapObject(id), 1) : ext;
    return new Layer(id, format, poolId, pgCount, ext, blk);
  }

  long id() {
    return id;
  }

  LayerFormat format() {
    return format;
  }

  AllocationMap extents() {
    return extents;
  }

  AllocationMap blocks() {
    return blocks;
  }

  /** The placement group of a block: per block in V1 (as ChunkClient.pgFor), per extent in V2. */
  int pg(long block) {
    return format.pg(objectHash, block, pgCount);
  }

  ChunkId chunk(long block) {
    return ChunkId.newBuilder().setPool(poolId).setPg(pg(block)).setObjectId(object).setIndex(block).build();
  }

  /** A stored block was written (V2: its bit is set in memory, durable with the next FLUSH). */
  void stored(long block) {
    if (format.hasBlockMap()) {
      blocks.setLater(block);
    }
  }

  /** A block now reads as zeroes (V2: its bit is cleared lazily; V1: the map write is not awaited). */
  void zeroed(long block) {
    if (format.hasBlockMap()) {
      blocks.clearLater(block);
    }
  }

  /** Makes the lazily kept block bits durable (V2); nothing to do in V1. */
  CompletableFuture<Void> syncBlockMap() {
    return format.hasBlockMap() ? blocks.syncDirty() : CompletableFuture.completedFuture(null);
  }
}

package io.strata.block.data;

import com.google.protobuf.ByteString;

/**
 * How a layer's blocks are placed and mapped. Fixed when a layer is created and recorded with the
 * volume (and its snapshots), so data written by an older release stays readable.
 * <ul>
 *   <li>{@link #V1}: each block hashed to its own placement group; one map bit per block, made
 *       durable before the block's first write ({@code volmap/<layer>}).
 *   <li>{@link #V2}: the blocks of one 1 MiB extent share a placement group, so a sequential
 *       request is one primary and FLUSH touches few groups; one durable bit per extent
 *       ({@code volext/<layer>}), set before the extent's first write (once per MiB, not per
 *       block); per-block bits ({@code volmap/<layer>}) kept in memory and made durable with every
 *       FLUSH, for used bytes and TRIM.
 * </ul>
 * Both maps are supersets of what exists where it matters: the extent map (V2) or block map (V1)
 * before data is written, which snapshot reads and deletion rely on.
 */
public enum LayerFormat {
  V1(1, 1),
  V2(2, 256);

  public static final LayerFormat CURRENT = V2;

  private final int version;
  private final int blocksPerExtent;

  LayerFormat(int version, int blocksPerExtent) {
    this.version = version;
    this.blocksPerExtent = blocksPerExtent;
  }

  public static LayerFormat of(int version) {
    for (LayerFormat f : values()) {
      if (f.version == version) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown layer format " + version);
  }

  public int version() {
    return version;
  }

  /** Blocks per extent: the unit of placement and of the durable map. */
  public int blocksPerExtent() {
    return blocksPerExtent;
  }

  /** The durable map: one bit per extent. */
  public ByteString extentMapObject(long layer) {
    return this == V1 ? DataLayout.mapObject(layer) : ByteString.copyFromUtf8("volext/" + layer);
  }

  /** The placement group of a block of the layer whose data object hashes to {@code objectHash}. */
  public int pg(long objectHash, long block, int pgCount) {
    long unit = this == V1 ? block : block / blocksPerExtent;  // V1 equals ChunkClient.pgFor
    return (int) Math.floorMod(io.strata.common.Hashing.combine(objectHash, unit), (long) pgCount);
  }

  /** The chunk holding a block of a layer (for those outside the I/O path, e.g. deletion). */
  public io.strata.proto.ChunkId chunk(int poolId, int pgCount, long layer, long block) {
    ByteString object = DataLayout.dataObject(layer);
    return io.strata.proto.ChunkId.newBuilder().setPool(poolId)
        .setPg(pg(io.strata.common.Hashing.hash64(object.toByteArray()), block, pgCount))
        .setObjectId(object).setIndex(block).build();
  }

  /** Whether per-block bits are kept apart from the extent map (V2); in V1 they are the same map. */
  public boolean hasBlockMap() {
    return this == V2;
  }
}

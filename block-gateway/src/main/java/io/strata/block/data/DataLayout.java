package io.strata.block.data;

import com.google.protobuf.ByteString;

/**
 * Where a volume's bytes live: block {@code i} is chunk {@code i} of object {@code vol/<id>};
 * the allocation map is object {@code volmap/<id>}. Naming data by the volume id (never the name)
 * keeps a re-created volume from seeing a deleted one's blocks.
 */
public final class DataLayout {
  /** One block = one chunk, so a 4 KiB random write is one replicated put, no read-modify-write. */
  public static final int BLOCK_SIZE_BYTES = 4096;
  /** A map page is one 4 KiB chunk holding one bit per block: 32768 blocks = 128 MiB of volume. */
  public static final int MAP_PAGE_BYTES = 4096;
  public static final long BLOCKS_PER_MAP_PAGE = MAP_PAGE_BYTES * 8L;
  /** How many chunk operations one request keeps in flight; bounds RPC fan-out of a 32 MiB request. */
  public static final int BLOCK_PARALLELISM = 64;

  private DataLayout() {}

  public static ByteString dataObject(long volumeId) {
    return ByteString.copyFromUtf8("vol/" + volumeId);
  }

  public static ByteString mapObject(long volumeId) {
    return ByteString.copyFromUtf8("volmap/" + volumeId);
  }

  public static long mapPages(long blocks) {
    return (blocks + BLOCKS_PER_MAP_PAGE - 1) / BLOCKS_PER_MAP_PAGE;
  }
}

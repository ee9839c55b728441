package io.strata.nfs.fs;

import io.strata.metadata.client.MetaException;
import io.strata.metadata.client.MetadataClient;

/**
 * Inode numbers from a metadata counter, taken {@link #BATCH} at a time so a CREATE does not pay
 * a Raft round trip for its number. Numbers are never reused (unused ones of a batch are skipped
 * after a restart), which is half of what makes stale handles detectable; the generation is the
 * other half.
 */
final class IdAllocator {
  static final String COUNTER = "nfs.inode";
  static final int BATCH = 1024;

  private final MetadataClient meta;
  private long next;
  private long end;

  IdAllocator(MetadataClient meta) {
    this.meta = meta;
  }

  synchronized long next() {
    if (next >= end) {
      try {
        next = meta.allocateIds(COUNTER, BATCH);
      } catch (MetaException e) {
        throw new FsException(FsStatus.JUKEBOX, "allocating inode numbers: " + e.getMessage());
      }
      end = next + BATCH;
    }
    return next++;
  }
}

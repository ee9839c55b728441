package io.strata.datanode.disk;

import io.netty.buffer.ByteBuf;
import io.strata.common.Checksums;
import io.strata.common.Metrics;
import io.strata.transport.EventLoops;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reclaims extent segments whose records were mostly overwritten or deleted: copies the records
 * the index still points at into the active segment (through the disk's writer, so it cannot race
 * a newer write of the same key), syncs, and only then deletes the old file. A segment with a
 * live record that cannot be read intact is kept (the scrubber or a read repairs the record, and
 * a later pass retries). One pass at a time, on the caller's thread.
 */
final class ExtentCompactor {
  private static final Logger LOG = LoggerFactory.getLogger(ExtentCompactor.class);
  /** A sealed segment is compacted once less than this share of it is live. */
  static final double LIVE_RATIO = 0.5;
  static final long STEP_TIMEOUT_SECONDS = 60;

  private final SimulatedDisk disk;
  private final ExtentStore extents;
  private final BatchApplier applier;
  private final LongAdder reclaimed;

  ExtentCompactor(SimulatedDisk disk, ExtentStore extents, BatchApplier applier) {
    this.disk = disk;
    this.extents = extents;
    this.applier = applier;
    this.reclaimed = Metrics.global().counter("strata_disk_extent_segments_reclaimed_total{disk=\"" + disk.name()
        + "\"}", "extent segments compacted away");
  }

  /** Compacts every sealed segment below the live ratio; returns how many were removed. */
  int runOnce() throws Exception {
    int removed = 0;
    for (int segment : extents.segments()) {
      if (segment >= extents.activeSegment()) {
        continue;
      }
      long size = extents.segmentSize(segment);
      if (size == 0 || applier.live(segment) < size * LIVE_RATIO) {
        if (compact(segment)) {
          removed++;
        }
      }
    }
    return removed;
  }

  private boolean compact(int segment) throws Exception {
    List<CompletableFuture<Boolean>> moves = new ArrayList<>();
    boolean complete = true;
    for (ExtentStore.Scanned r : extents.scan(segment)) {
      RecordHeader h = disk.header(r.key());
      if (h == null || h.extent() != r.at().encode() || h.version() != r.version()) {
        continue;  // dead: overwritten, deleted or never committed
      }
      ByteBuf data = extents.read(r.at(), r.key(), r.version(), r.length(), EventLoops.ALLOCATOR);
      if (Checksums.crc32c(data.nioBuffer()) != h.crc32c()) {
        data.release();
        complete = false;
        continue;
      }
      DiskWriter.Op op = new DiskWriter.Op(r.key(), 0, 0, h, data.nioBuffer(), false, r.at().encode(),
          new CompletableFuture<>());
      moves.add(disk.submit(op).whenComplete((x, t) -> data.release()));
    }
    CompletableFuture.allOf(moves.toArray(new CompletableFuture[0])).get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!complete) {
      LOG.warn("extent segment {} on {} keeps a record that does not read intact", segment, disk.name());
      return false;
    }
    disk.sync().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);  // the new pointers are durable before the old data goes
    extents.delete(segment);
    applier.forget(segment);
    reclaimed.increment();
    LOG.info("compacted extent segment {} on {}: {} live records moved", segment, disk.name(), moves.size());
    return true;
  }
}

package io.strata.datanode.disk;

import io.netty.buffer.ByteBuf;
import io.strata.common.Checksums;
import io.strata.common.Metrics;
import java.io.IOException;
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

  /** Live records moved per submission: they are applied as one batch, into one pack. */
  static final int MOVE_BATCH = 256;
  /** Bytes of moved records that may wait to be applied (they pin the scan's windows). */
  static final long MAX_PENDING_BYTES = 16 << 20;

  private boolean compact(int segment) throws Exception {
    Moves moves = new Moves();
    boolean[] complete = {true};
    try {
      scan(segment, moves, complete);
    } catch (Exception e) {
      moves.abandon();
      throw e;
    }
    moves.finish();
    if (!complete[0]) {
      LOG.warn("extent segment {} on {} keeps a record that does not read intact", segment, disk.name());
      return false;
    }
    disk.sync().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);  // the new pointers are durable before the old data goes
    extents.delete(segment);
    applier.forget(segment);
    reclaimed.increment();
    LOG.info("compacted extent segment {} on {}: {} live records moved", segment, disk.name(), moves.moved);
    return true;
  }

  /**
   * Picks the live records of a segment. A block this process saw die is passed over; in a
   * segment this process wrote alone, any other record is live, and goes to the writer without an
   * index lookup (the applier moves it only if the index still points at it); in an older
   * segment the index is asked first, as a record may have died before the restart.
   */
  private void scan(int segment, Moves moves, boolean[] complete) throws IOException {
    DeadBlocks dead = applier.dead();
    boolean fresh = dead.fresh(segment);
    extents.scan(segment, new ExtentStore.ScanConsumer() {
      @Override
      public boolean wants(ExtentStore.Scanned r) {
        return !dead.dead(r.at()) && (fresh || indexed(r));  // else overwritten, deleted or never committed
      }

      @Override
      public void accept(ExtentStore.Scanned r, ByteBuf data) throws IOException {
        if (Checksums.crc32c(data.nioBuffer()) != r.crc32c()) {
          if (indexed(r)) {  // a dead record that does not read intact does not matter
            complete[0] = false;
          }
          return;
        }
        moves.add(r, new RecordHeader(r.version(), r.crc32c(), r.length(), false), data.retainedSlice());
      }
    });
  }

  /** Whether the index still points at this record. */
  private boolean indexed(ExtentStore.Scanned r) {
    RecordHeader h = disk.header(r.key());
    return h != null && h.extent() == r.at().encode() && h.version() == r.version();
  }

  /**
   * Live records on their way back through the disk's writer, submitted {@link #MOVE_BATCH} at a
   * time: one by one, each became a batch and a pack of its own (a header block per 4 KiB
   * record). Waits whenever {@link #MAX_PENDING_BYTES} are pending, so a scan cannot run ahead.
   */
  private final class Moves {
    private final List<DiskWriter.Op> batch = new ArrayList<>();
    private final List<CompletableFuture<Boolean>> pending = new ArrayList<>();
    private long pendingBytes;
    int moved;

    void add(ExtentStore.Scanned r, RecordHeader h, ByteBuf data) throws IOException {
      DiskWriter.Op op = new DiskWriter.Op(r.key(), 0, 0, h, data.nioBuffer(), false, r.at().encode(),
          new CompletableFuture<>());
      op.done().whenComplete((x, t) -> data.release());
      batch.add(op);
      pending.add(op.done());
      pendingBytes += data.readableBytes();
      moved++;
      if (batch.size() >= MOVE_BATCH || pendingBytes >= MAX_PENDING_BYTES) {
        submit();
      }
      if (pendingBytes >= MAX_PENDING_BYTES) {
        await();
      }
    }

    private void submit() {
      disk.submitAll(batch);
      batch.clear();
    }

    private void await() throws IOException {
      try {
        CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IOException("moving live records failed: " + e, e);
      } finally {
        pending.clear();
        pendingBytes = 0;
      }
    }

    /** After a failed scan: what was never submitted is dropped (and its data released). */
    void abandon() {
      batch.forEach(op -> op.done().complete(false));
      batch.clear();
    }

    void finish() throws IOException {
      submit();
      await();
    }
  }
}

package io.strata.nfs.fs;

import com.google.protobuf.ByteString;
import io.strata.common.Metrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves written data from the block cache to the datanodes and write-back attributes to
 * metadata. A block is written when it fills, when it has been dirty for
 * {@link #DIRTY_AGE_NANOS}, under memory pressure, or at COMMIT. COMMIT's promise: every block
 * acknowledged before it is on at least two replicas with their WAL synced (a sync write, or a
 * sync of the placement groups that earlier unsynced writes went to), and the size that covers
 * it is committed in metadata.
 */
final class WriteBack {
  private static final Logger LOG = LoggerFactory.getLogger(WriteBack.class);
  static final long DIRTY_AGE_NANOS = 1_000_000_000L;
  static final long ATTR_AGE_NANOS = 2_000_000_000L;
  static final long UNSYNCED_AGE_NANOS = 5_000_000_000L;

  // A COMMIT's time in its two parallel parts: the attribute commit (Raft) and then how much
  // longer the data's sync writes took, so a profile shows which of the two bounds it.
  private static final LongAdder COMMIT_ATTR_MICROS = Metrics.global().counter(
      "strata_nfs_commit_attr_micros_total", "COMMIT time spent committing the covering attributes");
  private static final LongAdder COMMIT_DATA_WAIT_MICROS = Metrics.global().counter(
      "strata_nfs_commit_data_wait_micros_total", "COMMIT time spent waiting for data after the attributes");
  private final FileSystem fs;
  private final FileData data;

  WriteBack(FileSystem fs) {
    this.fs = fs;
    this.data = fs.data;
  }

  /** Starts writing the block's current bytes; the caller holds {@code st}'s monitor. */
  void startFlush(FileState st, Block b, boolean sync) {
    ByteString snapshot = ByteString.copyFrom(b.data, 0, b.length);
    long gen = b.dirtyGen;
    CompletableFuture<Void> done = new CompletableFuture<>();
    b.flushing = done;
    CompletableFuture<Integer> w;
    try {
      w = data.store.write(st.ino, b.index, snapshot, sync);
    } catch (RuntimeException e) {
      w = CompletableFuture.failedFuture(e);
    }
    w.whenComplete((pg, err) -> flushed(st, b, gen, sync, snapshot.size(), pg, err, done));
  }

  private void flushed(FileState st, Block b, long gen, boolean sync, int bytes, Integer pg, Throwable err,
                       CompletableFuture<Void> done) {
    synchronized (st) {
      b.flushing = null;
      if (err != null) {
        st.error = new FsException(FsStatus.of(err), "writing block " + b.index + " of inode " + st.ino + ": " + err);
      } else {
        st.storedHigh = Math.max(st.storedHigh, b.index * BlockStore.BLOCK_BYTES + bytes);
        if (!sync) {
          st.unsyncedPgs.put(pg, ++st.writeSeq);
        }
        if (b.dirty && b.dirtyGen == gen) {
          b.dirty = false;
          data.memory.cleaned(st, b, b.data.length);
        }
      }
    }
    if (err != null) {
      LOG.debug("write-back of inode {} block {} failed: {}", st.ino, b.index, err.toString());
      done.completeExceptionally(err);
    } else {
      done.complete(null);
    }
  }

  /** What a COMMIT waits for, and the unsynced groups it covers. */
  record Sync(CompletableFuture<Void> done, Map<Integer, Long> pgs) {}

  /** Waits for in-flight writes, then starts sync writes of dirty blocks and a sync of earlier groups. */
  Sync beginSync(FileState st) {
    data.waitForFlushes(st, 0);
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    Map<Integer, Long> pgs;
    synchronized (st) {
      for (Block b : st.blocks.values()) {
        if (b.dirty && b.flushing == null) {
          startFlush(st, b, true);
        }
        if (b.flushing != null) {
          waits.add(b.flushing);
        }
      }
      pgs = new HashMap<>(st.unsyncedPgs);
      st.error = null;
    }
    waits.add(data.store.sync(pgs.keySet()));
    return new Sync(CompletableFuture.allOf(waits.toArray(new CompletableFuture[0])), pgs);
  }

  void finishSync(FileState st, Sync s) {
    synchronized (st) {
      s.pgs().forEach(st.unsyncedPgs::remove);
    }
  }

  /** COMMIT of one file: data durable and the attributes that cover it committed, together. */
  void commit(FileState st) {
    long t0 = System.nanoTime();
    Sync s = beginSync(st);
    fs.attrs.persistWriteBack(st);
    long t1 = System.nanoTime();
    try {
      s.done().join();
    } catch (RuntimeException e) {
      throw new FsException(FsStatus.of(e), "COMMIT of inode " + st.ino + ": " + e.getMessage());
    } finally {
      COMMIT_ATTR_MICROS.add((t1 - t0) / 1000);
      COMMIT_DATA_WAIT_MICROS.add((System.nanoTime() - t1) / 1000);
    }
    finishSync(st, s);
  }

  /** One background pass: aged or pressured blocks, idle attributes, idle unsynced groups. */
  void tick() {
    long now = System.nanoTime();
    boolean pressure = data.memory.dirtyPressure();
    List<FileState> idleAttrs = new ArrayList<>();
    for (FileState st : data.all()) {
      boolean persistAttrs;
      boolean syncGroups;
      synchronized (st) {
        boolean dirtyBlocks = false;
        for (Block b : st.blocks.values()) {
          if (b.dirty && b.flushing == null && (pressure || now - b.dirtySinceNanos > DIRTY_AGE_NANOS)) {
            startFlush(st, b, false);
          }
          dirtyBlocks |= b.dirty || b.flushing != null;
        }
        boolean idle = now - st.lastUseNanos > ATTR_AGE_NANOS;
        persistAttrs = !dirtyBlocks && idle && st.attrsDirty();
        syncGroups = !dirtyBlocks && !st.unsyncedPgs.isEmpty() && now - st.lastUseNanos > UNSYNCED_AGE_NANOS;
      }
      if (persistAttrs) {
        idleAttrs.add(st);
      }
      try {
        if (syncGroups) {
          Sync s = beginSync(st);
          s.done().join();
          finishSync(st, s);
        }
      } catch (RuntimeException e) {
        LOG.debug("background write-back of inode {} failed: {}", st.ino, e.toString());
      }
      if (!persistAttrs) {
        data.forgetIfIdle(st);
      }
    }
    try {
      fs.attrs.persistWriteBack(idleAttrs);
    } catch (RuntimeException e) {
      LOG.debug("background write-back of {} files' attributes failed: {}", idleAttrs.size(), e.toString());
    }
    idleAttrs.forEach(data::forgetIfIdle);
    data.evict();
  }

  /** Everything to the datanodes and metadata (shutdown). */
  void flushAll() {
    for (FileState st : data.all()) {
      commit(st);
    }
  }
}

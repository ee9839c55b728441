package io.strata.datanode.disk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.strata.common.Checksums;
import io.strata.common.Metrics;
import io.strata.common.Threads;
import io.strata.proto.ChunkStatus;
import io.strata.proto.DiskInfo;
import io.strata.proto.DiskState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated disk: a directory with one RocksDB ({@link DiskStore}), an {@link ExtentStore}
 * for large values, and a model of capacity and faults. Writes go through the disk's
 * {@link DiskWriter} (one applier at a time, {@link BatchApplier}), durability through its
 * {@link WalSyncer}; reads ({@link DiskReader}) run on the caller's thread.
 */
public final class SimulatedDisk implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedDisk.class);
  static final long COMPACT_INTERVAL_SECONDS = 10;
  static final int PURGE_PAGE = 1000;

  private final String name;
  private final int index;
  private final DiskFaults faults;
  private final long capacityBytes;
  private final DiskStore store;
  private final ExtentStore extents;
  private final BatchApplier applier;
  private final DiskReader reader;
  private final DiskWriter writer;
  private final Thread writerThread;
  private final WalSyncer syncer;
  private final Thread syncerThread;
  private final ExtentCompactor compactor;
  private final ScheduledExecutorService compaction;
  private final LongAdder syncs;
  /** Reads in progress; close() waits for them, so no read ever touches a closed RocksDB. */
  private final AtomicInteger activeReads = new AtomicInteger();
  private volatile boolean closing;

  public SimulatedDisk(String name, int index, Path dir, long capacityBytes, DiskFaults faults) throws IOException {
    this(name, index, dir, capacityBytes, faults, ExtentStore.DEFAULT_SEGMENT_BYTES);
  }

  SimulatedDisk(String name, int index, Path dir, long capacityBytes, DiskFaults faults, long segmentBytes)
      throws IOException {
    this.name = name;
    this.index = index;
    this.faults = faults;
    this.capacityBytes = capacityBytes;
    this.store = new DiskStore(name, dir);
    this.extents = new ExtentStore(dir.resolve("extents"), segmentBytes);
    this.applier = new BatchApplier(this, store, extents, capacityBytes);
    this.reader = new DiskReader(name, store, extents, faults);
    this.syncs = Metrics.global().counter("strata_disk_wal_syncs_total{disk=\"" + name + "\"}", "WAL syncs per disk");
    Metrics.global().gauge("strata_disk_used_bytes{disk=\"" + name + "\"}", "bytes stored per disk",
        applier::usedBytes);
    this.writer = new DiskWriter(this);
    this.writerThread = daemon(writer, "disk-writer-" + name);
    this.syncer = new WalSyncer(name, this::syncAll);
    this.syncerThread = daemon(syncer, "disk-sync-" + name);
    this.compactor = new ExtentCompactor(this, extents, applier);
    this.compaction = Executors.newSingleThreadScheduledExecutor(Threads.daemon("extent-compactor-" + name));
    compaction.scheduleWithFixedDelay(this::compactQuietly, COMPACT_INTERVAL_SECONDS, COMPACT_INTERVAL_SECONDS,
        TimeUnit.SECONDS);
    LOG.debug("disk {} at {}: extents {}", name, dir, extents.direct() ? "O_DIRECT" : "buffered");
  }

  private static Thread daemon(Runnable r, String threadName) {
    Thread t = new Thread(r, threadName);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Runs on the syncer thread: extent data first, then the WAL that points at it. */
  private void syncAll() throws Exception {
    faults.beforeWrite(name);
    extents.sync();
    store.db.syncWal();
    syncs.increment();
  }

  private void compactQuietly() {
    try {
      if (!faults.isFailed()) {
        compactor.runOnce();
      }
    } catch (Exception e) {
      LOG.debug("extent compaction on {} failed: {}", name, e.toString());
    }
  }

  /** Runs one compaction pass now (tests); returns the number of segments removed. */
  public int compactExtents() throws Exception {
    return compactor.runOnce();
  }

  public String name() {
    return name;
  }

  public int index() {
    return index;
  }

  public DiskFaults faults() {
    return faults;
  }

  public long usedBytes() {
    return applier.usedBytes();
  }

  public DiskInfo info() {
    return DiskInfo.newBuilder().setDiskIndex(index).setCapacityBytes(capacityBytes).setUsedBytes(usedBytes())
        .setState(faults.isFailed() ? DiskState.DISK_FAILED : DiskState.DISK_OK).build();
  }

  BatchApplier applier() {
    return applier;
  }

  // ---------------- writes ----------------

  /**
   * Writes one record at {@code version} (into the WAL, not yet synced). Completes with false
   * (and changes nothing) when the disk already holds that key at a newer version, or the same
   * one unless {@code repair}. {@code data} must stay unchanged until the future completes.
   */
  public CompletableFuture<Boolean> write(byte[] key, int pool, int pg, RecordHeader header, ByteBuffer data,
                                          boolean repair) {
    return submit(new DiskWriter.Op(key, pool, pg, header, data, repair));
  }

  /** {@link #write(byte[], int, int, RecordHeader, ByteBuffer, boolean)}, then a {@link #sync()} if asked. */
  public CompletableFuture<Boolean> write(byte[] key, int pool, int pg, RecordHeader header, byte[] data,
                                          boolean sync, boolean repair) {
    CompletableFuture<Boolean> w = write(key, pool, pg, header, ByteBuffer.wrap(data), repair);
    return sync ? w.thenCompose(applied -> sync().thenApply(v -> applied)) : w;
  }

  CompletableFuture<Boolean> submit(DiskWriter.Op op) {
    return writer.submit(op);
  }

  /** Queues ops to be applied together (see {@link DiskWriter#submitAll}). */
  void submitAll(List<DiskWriter.Op> ops) {
    writer.submitAll(ops);
  }

  /** Makes everything written so far durable; concurrent callers share one WAL sync. */
  public CompletableFuture<Void> sync() {
    return syncer.sync();
  }

  /** Whether writes were applied since the last completed sync. */
  public boolean dirty() {
    return syncer.dirty();
  }

  /** Completes once every write queued before it has been applied (no sync). */
  public CompletableFuture<Boolean> barrier() {
    return submit(new DiskWriter.Op(null, 0, 0, null, null, false));
  }

  /**
   * Removes every record of a group this disk is no longer a member of (a stray copy left after
   * the group moved), a page per batch. Completes with the number of records removed.
   */
  public CompletableFuture<Integer> purgeGroup(int pool, int pg) {
    return purgePages(pool, pg, 0);
  }

  private CompletableFuture<Integer> purgePages(int pool, int pg, int removedSoFar) {
    return writer.exclusively(() -> {
      try {
        return applier.purge(pool, pg, PURGE_PAGE);
      } catch (org.rocksdb.RocksDBException e) {
        throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "purge on " + name + ": " + e.getMessage(), e);
      }
    }).thenCompose(n -> n < PURGE_PAGE ? CompletableFuture.completedFuture(removedSoFar + n)
        : purgePages(pool, pg, removedSoFar + n));
  }

  /** Called by the applier after each batch reached the WAL. */
  void wrote() {
    syncer.wrote();
  }

  // ---------------- reads ----------------

  private <T> T guarded(Supplier<T> read) {
    activeReads.incrementAndGet();
    try {
      if (closing) {
        throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "disk " + name + " is closed");
      }
      return read.get();
    } finally {
      activeReads.decrementAndGet();
    }
  }

  /** The record header, or null if the disk never saw the key. No fault injection: metadata only. */
  public RecordHeader header(byte[] key) {
    return guarded(() -> reader.header(key));
  }

  /** A record with its data, as read from the medium (faults applied), not yet verified. */
  public record Stored(RecordHeader header, byte[] data) {
    public boolean checksumOk() {
      return header.tombstone() || Checksums.crc32c(data) == header.crc32c();
    }
  }

  public Stored read(byte[] key) {
    return guarded(() -> reader.read(key));
  }

  /**
   * Reads a record's data (faults applied, not verified) into a new direct buffer from
   * {@code alloc}, which the caller releases; null if the record has no data. On an event loop
   * only when the disk does not {@link DiskFaults#delays() delay} and the record is not external.
   */
  public ByteBuf readData(byte[] key, RecordHeader h, ByteBufAllocator alloc) {
    return guarded(() -> reader.readData(key, h, alloc));
  }

  /**
   * The data of packed records stored block after block in one segment (see
   * {@link #followsInPack}), from {@code first}'s on: {@code bytes} in one read, not verified.
   */
  public ByteBuf readPackedRun(RecordHeader first, int bytes, ByteBufAllocator alloc) {
    return guarded(() -> reader.readPackedRun(first, bytes, alloc));
  }

  /** Tests: packs every block-sized value, however small its batch. */
  public void packEveryBatch() {
    applier.packEveryBatch();
  }

  /** Whether {@code next} is a packed record whose data starts in the block after {@code prev}'s data. */
  public static boolean followsInPack(RecordHeader prev, RecordHeader next) {
    if (!prev.packed() || !next.packed()) {
      return false;
    }
    ExtentStore.Pointer a = prev.pointer();
    ExtentStore.Pointer b = next.pointer();
    return a.segment() == b.segment() && (long) b.block() * ExtentStore.BLOCK == a.offset() + packedBytes(prev.length());
  }

  /** The bytes a packed value of {@code length} takes in its pack: whole 4 KiB blocks. */
  public static int packedBytes(int length) {
    return ExtentStore.roundUp(length);
  }

  public PgMeta summary(int pool, int pg) {
    faults.beforeRead(name);
    return applier.pgMeta().getOrDefault(BatchApplier.pgKey(pool, pg), PgMeta.EMPTY);
  }

  /** One listed record of a group: its key and version. */
  public record Listed(byte[] key, long version) {}

  /** Up to {@code limit} records of one group after {@code startAfter} (exclusive), in key order. */
  public List<Listed> list(int pool, int pg, byte[] startAfter, int limit) {
    return guarded(() -> reader.list(pool, pg, startAfter, limit));
  }

  /** Every group this disk holds records for, as (pool, pg) pairs. */
  public List<int[]> groups() {
    List<int[]> out = new ArrayList<>();
    for (Map.Entry<Long, PgMeta> e : applier.pgMeta().entrySet()) {
      if (e.getValue().count() > 0) {
        out.add(new int[] {(int) (e.getKey() >>> 32), (int) (long) e.getKey()});
      }
    }
    return out;
  }

  // ---------------- fault helpers for tests and the simulator ----------------

  /** Flips one bit of a stored chunk in place, bypassing the index: silent corruption at rest. */
  public boolean corruptAtRest(byte[] key, int bit) {
    return guarded(() -> reader.corruptAtRest(key, bit));
  }

  /** Reads raw stored bytes (no faults), for checks that a repair really rewrote the copy. */
  public byte[] rawData(byte[] key) {
    return guarded(() -> reader.rawData(key));
  }

  /** Bytes of a value kept inline in RocksDB (null if none), for tests that check where data went. */
  byte[] rawDataInline(byte[] key) {
    return guarded(() -> {
      try {
        return store.db.get(store.dataCf, key);
      } catch (org.rocksdb.RocksDBException e) {
        throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "raw read on " + name, e);
      }
    });
  }

  /** Extent segment files on this disk (tests). */
  int extentSegments() throws IOException {
    return extents.segments().size();
  }

  /** Bytes compaction has read from this disk's extent segments. */
  long extentScanReadBytes() {
    return extents.scanReadBytes();
  }

  @Override
  public void close() {
    Threads.shutdown(compaction, 10);
    writer.stop();
    syncer.stop();
    try {
      writerThread.join(10_000);
      syncerThread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.quiesce();
    closing = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (activeReads.get() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    Metrics.global().removeGauge("strata_disk_used_bytes{disk=\"" + name + "\"}");
    applier.close();
    extents.close();
    store.close();
  }
}

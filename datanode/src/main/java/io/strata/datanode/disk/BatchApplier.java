package io.strata.datanode.disk;

import io.strata.common.Metrics;
import io.strata.proto.ChunkStatus;
import io.strata.transport.EventLoops;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Applies a batch of record writes to one disk, under the writer's apply lock: version checks
 * (an older or equal version never replaces a newer one, except a repair), capacity, large values
 * into the {@link ExtentStore} first, then one RocksDB WriteBatch with the headers, small values,
 * the per-group summaries, the used bytes and the live bytes of each extent segment. Nothing here
 * syncs: {@link WalSyncer} does, after the batch is counted as written.
 */
final class BatchApplier {
  private static final byte[] USED_KEY = "used-bytes".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SEGMENT_PREFIX = "seg".getBytes(StandardCharsets.UTF_8);

  private final SimulatedDisk disk;
  private final DiskStore store;
  private final ExtentStore extents;
  private final long capacityBytes;
  private final Map<Long, PgMeta> pgMeta = new ConcurrentHashMap<>();
  private final Map<Integer, Long> segmentLive = new ConcurrentHashMap<>();
  private final DeadBlocks dead;
  private final AtomicLong usedBytes = new AtomicLong();
  private final WriteBatch batch = new WriteBatch();
  private final ByteBuffer keyScratch = ByteBuffer.allocateDirect(DiskWriter.MAX_BATCH_OPS * (ChunkKeys.MAX_OBJECT_ID_BYTES + 32));
  private final LongAdder batches;
  private final LongAdder extentBytes;

  BatchApplier(SimulatedDisk disk, DiskStore store, ExtentStore extents, long capacityBytes) {
    this.disk = disk;
    this.store = store;
    this.extents = extents;
    this.capacityBytes = capacityBytes;
    this.dead = new DeadBlocks(extents.segmentBytes(), extents.activeSegment());
    load();
    this.batches = Metrics.global().counter("strata_disk_write_batches_total{disk=\"" + disk.name() + "\"}",
        "write batches per disk");
    this.extentBytes = Metrics.global().counter("strata_disk_extent_bytes_total{disk=\"" + disk.name() + "\"}",
        "bytes of large values written to extent segments (O_DIRECT)");
  }

  private void load() {
    try (RocksIterator it = store.db.newIterator(store.metaCf)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (Arrays.equals(k, USED_KEY)) {
          usedBytes.set(ByteBuffer.wrap(it.value()).getLong());
        } else if (k.length == 8) {
          pgMeta.put(ByteBuffer.wrap(k).getLong(), PgMeta.decode(it.value()));
        } else if (k.length == SEGMENT_PREFIX.length + 4 && Arrays.equals(k, 0, 3, SEGMENT_PREFIX, 0, 3)) {
          segmentLive.put(ByteBuffer.wrap(k, 3, 4).getInt(), ByteBuffer.wrap(it.value()).getLong());
        }
      }
    }
  }

  Map<Long, PgMeta> pgMeta() {
    return pgMeta;
  }

  long usedBytes() {
    return usedBytes.get();
  }

  AtomicLong usedBytesRef() {
    return usedBytes;
  }

  /** Bytes of records the index still points at in a segment (for compaction). */
  long live(int segment) {
    return segmentLive.getOrDefault(segment, 0L);
  }

  void forget(int segment) throws RocksDBException {
    store.db.delete(store.metaCf, segmentKey(segment));
    segmentLive.remove(segment);
    dead.forget(segment);
  }

  DeadBlocks dead() {
    return dead;
  }

  private static byte[] segmentKey(int segment) {
    return ByteBuffer.allocate(SEGMENT_PREFIX.length + 4).put(SEGMENT_PREFIX).putInt(segment).array();
  }

  static long pgKey(int pool, int pg) {
    return ((long) pool << 32) | (pg & 0xffffffffL);
  }

  /** Everything one batch changes besides the records themselves. */
  private final class Changes {
    final Map<ByteBuffer, RecordHeader> pending = new HashMap<>();
    final Map<Long, PgMeta> meta = new HashMap<>();
    final Map<Integer, Long> live = new HashMap<>();
    /** Extent places whose record this batch supersedes: marked dead once it committed. */
    final List<ExtentStore.Pointer> died = new java.util.ArrayList<>();
    long used = usedBytes.get();

    RecordHeader current(byte[] key) {
      ByteBuffer k = ByteBuffer.wrap(key);
      return pending.containsKey(k) ? pending.get(k) : disk.header(key);
    }

    /** Where the batch's packable values went (see {@link #pack}), by op. */
    final Map<DiskWriter.Op, ExtentStore.Pointer> packed = new java.util.IdentityHashMap<>();

    void moveLive(RecordHeader old, RecordHeader now, byte[] key) {
      if (old != null && old.external()) {
        live.merge(old.pointer().segment(), -ExtentStore.footprint(old.pointer(), key.length, old.length()), Long::sum);
        died.add(old.pointer());
      }
      if (now.external()) {
        live.merge(now.pointer().segment(), ExtentStore.footprint(now.pointer(), key.length, now.length()), Long::sum);
      }
    }
  }

  void apply(List<DiskWriter.Op> ops) {
    try {
      disk.faults().beforeWrite(disk.name());
    } catch (DiskException e) {
      ops.forEach(op -> op.done().completeExceptionally(e));
      return;
    }
    Boolean[] applied = new Boolean[ops.size()];
    Changes c = new Changes();
    WriteBatch wb = batch;
    keyScratch.clear();
    try {
      wb.clear();
      pack(ops, c);
      for (int i = 0; i < ops.size(); i++) {
        applied[i] = applyOne(wb, c, ops.get(i));
      }
      for (Map.Entry<Long, PgMeta> e : c.meta.entrySet()) {
        wb.put(store.metaCf, ByteBuffer.allocate(8).putLong(e.getKey()).array(), e.getValue().encode());
      }
      for (Map.Entry<Integer, Long> e : c.live.entrySet()) {
        wb.put(store.metaCf, segmentKey(e.getKey()), ByteBuffer.allocate(8).putLong(live(e.getKey()) + e.getValue())
            .array());
      }
      wb.put(store.metaCf, USED_KEY, ByteBuffer.allocate(8).putLong(c.used).array());
      disk.faults().transfer(wb.getDataSize());
      store.db.write(store.asyncWrite, wb);
      disk.wrote();
      batches.increment();
    } catch (RocksDBException | IOException e) {
      DiskException de = new DiskException(ChunkStatus.CHUNK_IO_ERROR, "write on " + disk.name() + ": " + e.getMessage(), e);
      ops.forEach(op -> op.done().completeExceptionally(de));
      return;
    } finally {
      wb.clear();
    }
    pgMeta.putAll(c.meta);
    c.live.forEach((s, d) -> segmentLive.merge(s, d, Long::sum));
    c.died.forEach(dead::mark);
    usedBytes.set(c.used);
    for (int i = 0; i < ops.size(); i++) {
      if (applied[i] != null) {
        ops.get(i).done().complete(applied[i]);
      }
    }
  }

  /**
   * Writes the data of every op whose value is packable (4 KiB up to the extent threshold) into
   * packs, before the batch decides which ops apply: the pointers go into the index with the
   * rest of the batch, and an op that turns out superseded leaves dead bytes that compaction
   * reclaims. Data is on its blocks before any index entry that points at it.
   */
  private void pack(List<DiskWriter.Op> ops, Changes c) throws IOException {
    List<DiskWriter.Op> packable = null;
    long bytes = 0;
    boolean moves = false;
    for (DiskWriter.Op op : ops) {
      if (op.key() != null && !op.header().tombstone() && packable(op.data())) {
        if (packable == null) {
          packable = new java.util.ArrayList<>();
        }
        packable.add(op);
        bytes += op.data().remaining();
        moves |= op.relocateFrom() != ExtentStore.Pointer.NONE;
      }
    }
    // A batch of one small value stays in RocksDB: a later FLUSH then syncs the WAL alone
    // instead of the segment and then the WAL (a 4 KiB write+FLUSH at one in flight). Measured
    // thresholds on NBD random writes at 16 in flight, benchmarks.md 2026-12-07: 64 KiB 8,159
    // IOPS, 16 KiB 8,834, 8 KiB 9,907 (11,700 with the background sync below), every batch
    // 13,303 but write+FLUSH at one in flight 1,250 -> 579/s.
    if (packable == null || (bytes < minPackBatchBytes && !moves)) {
      return;
    }
    // In key order: the blocks of one extent then lie block after block, even when writes to
    // several extents arrived interleaved, and a batch read of the extent is one run (one read).
    packable.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    List<ExtentStore.PackItem> items = new java.util.ArrayList<>(packable.size());
    for (DiskWriter.Op op : packable) {
      items.add(new ExtentStore.PackItem(op.key(), op.header().version(), op.header().crc32c(), op.data()));
    }
    List<ExtentStore.Pointer> at = extents.appendPacked(items, EventLoops.ALLOCATOR);
    for (int i = 0; i < packable.size(); i++) {
      c.packed.put(packable.get(i), at.get(i));
      extentBytes.add(packable.get(i).data().remaining());
    }
    // Packs go through the page cache: sync in the background every few MiB (RocksDB's
    // bytes_per_sync does the same for its WAL), so the next FLUSH finds little dirty data and
    // the kernel's own writeback does not stall reads later.
    packedSinceSync += bytes;
    if (packedSinceSync >= BACKGROUND_SYNC_BYTES) {
      packedSinceSync = 0;
      disk.sync();
    }
  }

  /** Pack bytes after which the disk syncs in the background (not waited for). */
  static final long BACKGROUND_SYNC_BYTES = 4 << 20;
  private long packedSinceSync;

  /** A write batch packs its block-sized values once they add up to this much. */
  static final int MIN_PACK_BATCH_BYTES = 8 << 10;
  private volatile int minPackBatchBytes = MIN_PACK_BATCH_BYTES;

  /** Tests: packs every block-sized value, however small its batch. */
  void packEveryBatch() {
    minPackBatchBytes = 0;
  }

  static boolean packable(ByteBuffer data) {
    return data != null && data.remaining() >= ExtentStore.MIN_PACKED_BYTES && data.remaining() < ExtentStore.MIN_VALUE_BYTES;
  }

  /** Adds one op to the batch; true if applied, false if superseded, null if it failed (already completed). */
  private Boolean applyOne(WriteBatch wb, Changes c, DiskWriter.Op op) throws RocksDBException, IOException {
    if (op.key() == null) {
      return true;  // a barrier
    }
    RecordHeader old = c.current(op.key());
    if (op.relocateFrom() != ExtentStore.Pointer.NONE) {
      return relocate(wb, c, op, old);
    }
    long v = op.header().version();
    if (old != null && (old.version() > v || (old.version() == v && !op.replaceSameVersion()))) {
      return false;
    }
    long delta = op.header().length() - (old == null ? 0 : old.length());
    if (delta > 0 && c.used + delta > capacityBytes) {
      op.done().completeExceptionally(new DiskException(ChunkStatus.CHUNK_DISK_FULL,
          "disk " + disk.name() + " is full (" + c.used + " of " + capacityBytes + " bytes used)"));
      return null;
    }
    c.used += delta;
    RecordHeader h = op.header().at(null);
    ExtentStore.Pointer packedAt = c.packed.get(op);
    if (op.header().tombstone()) {
      wb.delete(store.dataCf, op.key());
    } else if (packedAt != null) {
      h = h.at(packedAt);
      if (old != null && !old.external()) {
        wb.delete(store.dataCf, op.key());
      }
    } else if (op.data().remaining() >= ExtentStore.MIN_VALUE_BYTES) {
      h = h.at(extents.append(op.key(), v, h.crc32c(), op.data(), EventLoops.ALLOCATOR));
      extentBytes.add(op.data().remaining());
      if (old != null && !old.external()) {
        wb.delete(store.dataCf, op.key());
      }
    } else {
      putData(wb, op);
    }
    wb.put(store.indexCf, op.key(), h.encode());
    c.moveLive(old, h, op.key());
    long pk = pgKey(op.pool(), op.pg());
    PgMeta m = c.meta.getOrDefault(pk, pgMeta.getOrDefault(pk, PgMeta.EMPTY));
    if (old == null || old.version() != v) {
      c.meta.put(pk, m.replace(op.key(), old, v));
    }
    c.pending.put(ByteBuffer.wrap(op.key()), h);
    return true;
  }

  /** Compaction: moves a record's data to the active segment if the index still points at the old place. */
  private Boolean relocate(WriteBatch wb, Changes c, DiskWriter.Op op, RecordHeader old) throws RocksDBException,
      IOException {
    if (old == null || !old.external() || old.extent() != op.relocateFrom() || old.version() != op.header().version()) {
      return false;
    }
    ExtentStore.Pointer packedAt = c.packed.get(op);
    RecordHeader h = old.at(packedAt != null ? packedAt
        : extents.append(op.key(), old.version(), old.crc32c(), op.data(), EventLoops.ALLOCATOR));
    wb.put(store.indexCf, op.key(), h.encode());
    c.moveLive(old, h, op.key());
    c.pending.put(ByteBuffer.wrap(op.key()), h);
    return true;
  }

  /** Puts the op's data without a Java-heap copy when it is in a direct buffer. */
  private void putData(WriteBatch wb, DiskWriter.Op op) throws RocksDBException {
    ByteBuffer data = op.data().duplicate();
    if (!data.isDirect()) {
      byte[] v = new byte[data.remaining()];
      data.get(v);
      wb.put(store.dataCf, op.key(), v);
      return;
    }
    ByteBuffer k = keyScratch.slice();
    k.put(op.key()).flip();
    keyScratch.position(keyScratch.position() + op.key().length);
    wb.put(store.dataCf, k, data);
  }

  /**
   * Removes up to {@code limit} records of a group this disk no longer serves (apply lock held):
   * index, data, extent share and used bytes; the group's summary goes with the last page.
   * Returns how many records were removed (0 = the group is gone).
   */
  int purge(int pool, int pg, int limit) throws RocksDBException {
    List<SimulatedDisk.Listed> page = disk.list(pool, pg, new byte[0], limit);
    WriteBatch wb = batch;
    Map<Integer, Long> live = new HashMap<>();
    List<ExtentStore.Pointer> died = new java.util.ArrayList<>();
    long used = usedBytes.get();
    try {
      wb.clear();
      for (SimulatedDisk.Listed l : page) {
        RecordHeader h = disk.header(l.key());
        if (h == null) {
          continue;
        }
        if (h.external()) {
          live.merge(h.pointer().segment(), -ExtentStore.footprint(h.pointer(), l.key().length, h.length()), Long::sum);
          died.add(h.pointer());
        }
        used -= h.length();
        wb.delete(store.indexCf, l.key());
        wb.delete(store.dataCf, l.key());
      }
      long pk = pgKey(pool, pg);
      if (page.size() < limit) {
        wb.delete(store.metaCf, ByteBuffer.allocate(8).putLong(pk).array());
      }
      for (Map.Entry<Integer, Long> e : live.entrySet()) {
        wb.put(store.metaCf, segmentKey(e.getKey()), ByteBuffer.allocate(8).putLong(live(e.getKey()) + e.getValue())
            .array());
      }
      wb.put(store.metaCf, USED_KEY, ByteBuffer.allocate(8).putLong(used).array());
      store.db.write(store.asyncWrite, wb);
      disk.wrote();
      if (page.size() < limit) {
        pgMeta.remove(pk);
      }
      live.forEach((seg, d) -> segmentLive.merge(seg, d, Long::sum));
      died.forEach(dead::mark);
      usedBytes.set(used);
    } finally {
      wb.clear();
    }
    return page.size();
  }

  void close() {
    batch.close();
  }
}

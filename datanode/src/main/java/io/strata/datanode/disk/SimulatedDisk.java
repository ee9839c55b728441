package io.strata.datanode.disk;

import io.strata.common.Checksums;
import io.strata.common.Metrics;
import io.strata.proto.ChunkStatus;
import io.strata.proto.DiskInfo;
import io.strata.proto.DiskState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * One simulated disk: a directory with one RocksDB plus a model of capacity and faults.
 * Column families: {@code index} (key to {@link RecordHeader}), {@code data} (key to bytes, in
 * BlobDB files once large) and {@code pgmeta} (per-group summaries and the used-bytes counter).
 * All writes go through the disk's single {@link DiskWriter}; reads run on the caller's thread.
 */
public final class SimulatedDisk implements AutoCloseable {
  private static final byte[] USED_KEY = "used-bytes".getBytes(StandardCharsets.UTF_8);

  static {
    RocksDB.loadLibrary();
  }

  private final String name;
  private final int index;
  private final long capacityBytes;
  private final DiskFaults faults;
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final RocksDB db;
  private final ColumnFamilyHandle indexCf;
  private final ColumnFamilyHandle dataCf;
  private final ColumnFamilyHandle metaCf;
  private final WriteOptions asyncWrite = new WriteOptions().setSync(false);
  private final ReadOptions readOptions = new ReadOptions();
  private final Map<Long, PgMeta> pgMeta = new ConcurrentHashMap<>();
  private final AtomicLong usedBytes = new AtomicLong();
  private final DiskWriter writer;
  private final Thread writerThread;
  private final WalSyncer syncer;
  private final Thread syncerThread;
  private final LongAdder syncs;
  private final LongAdder batches;
  /** Reused by whoever holds the writer's apply lock (one applier at a time). */
  private final WriteBatch batch = new WriteBatch();
  /** Reads in progress; close() waits for them, so no read ever touches a closed RocksDB. */
  private final java.util.concurrent.atomic.AtomicInteger activeReads = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean closing;
  private final ByteBuffer keyScratch = ByteBuffer.allocateDirect(DiskWriter.MAX_BATCH_OPS * (ChunkKeys.MAX_OBJECT_ID_BYTES + 32));

  public SimulatedDisk(String name, int index, Path dir, long capacityBytes, DiskFaults faults) throws IOException {
    this.name = name;
    this.index = index;
    this.capacityBytes = capacityBytes;
    this.faults = faults;
    Files.createDirectories(dir);
    this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2).setBytesPerSync(1 << 20).setWalBytesPerSync(1 << 20)
        .setRecycleLogFileNum(4).setKeepLogFileNum(4);
    ColumnFamilyOptions plain = new ColumnFamilyOptions().setWriteBufferSize(8 << 20)
        .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false))
            .setPinL0FilterAndIndexBlocksInCache(true).setCacheIndexAndFilterBlocks(true));
    ColumnFamilyOptions blobs = new ColumnFamilyOptions().setWriteBufferSize(16 << 20)
        .setEnableBlobFiles(true).setMinBlobSize(64 * 1024).setBlobFileSize(64L << 20)
        .setEnableBlobGarbageCollection(true);
    cfOptions.add(plain);
    cfOptions.add(blobs);
    List<ColumnFamilyDescriptor> d = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plain),
        new ColumnFamilyDescriptor("index".getBytes(StandardCharsets.UTF_8), plain),
        new ColumnFamilyDescriptor("data".getBytes(StandardCharsets.UTF_8), blobs),
        new ColumnFamilyDescriptor("pgmeta".getBytes(StandardCharsets.UTF_8), plain));
    try {
      this.db = RocksDB.open(dbOptions, dir.toString(), d, handles);
    } catch (RocksDBException e) {
      throw new IOException("cannot open disk " + name + " at " + dir, e);
    }
    this.indexCf = handles.get(1);
    this.dataCf = handles.get(2);
    this.metaCf = handles.get(3);
    loadMeta();
    this.syncs = Metrics.global().counter("strata_disk_wal_syncs_total{disk=\"" + name + "\"}", "WAL syncs per disk");
    this.batches = Metrics.global().counter("strata_disk_write_batches_total{disk=\"" + name + "\"}", "write batches per disk");
    Metrics.global().gauge("strata_disk_used_bytes{disk=\"" + name + "\"}", "bytes stored per disk", usedBytes::get);
    this.writer = new DiskWriter(this);
    this.writerThread = new Thread(writer, "disk-writer-" + name);
    writerThread.setDaemon(true);
    writerThread.start();
    this.syncer = new WalSyncer(name, this::syncWal);
    this.syncerThread = new Thread(syncer, "disk-sync-" + name);
    syncerThread.setDaemon(true);
    syncerThread.start();
  }

  /** Runs on the syncer thread: makes every batch written so far durable. */
  private void syncWal() throws RocksDBException {
    faults.beforeWrite(name);
    db.syncWal();
    syncs.increment();
  }

  private void loadMeta() {
    try (RocksIterator it = db.newIterator(metaCf)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (Arrays.equals(k, USED_KEY)) {
          usedBytes.set(ByteBuffer.wrap(it.value()).getLong());
        } else if (k.length == 8) {
          pgMeta.put(ByteBuffer.wrap(k).getLong(), PgMeta.decode(it.value()));
        }
      }
    }
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
    return usedBytes.get();
  }

  public DiskInfo info() {
    return DiskInfo.newBuilder().setDiskIndex(index).setCapacityBytes(capacityBytes).setUsedBytes(usedBytes.get())
        .setState(faults.isFailed() ? DiskState.DISK_FAILED : DiskState.DISK_OK).build();
  }

  static long pgKey(int pool, int pg) {
    return ((long) pool << 32) | (pg & 0xffffffffL);
  }

  // ---------------- writes ----------------

  /**
   * Writes one record at {@code version} (into the WAL, not yet synced). Completes with false
   * (and changes nothing) when the disk already holds that key at a newer version, or the same
   * one unless {@code repair}. {@code data} must stay unchanged until the future completes.
   */
  public CompletableFuture<Boolean> write(byte[] key, int pool, int pg, RecordHeader header, ByteBuffer data,
                                          boolean repair) {
    return writer.submit(new DiskWriter.Op(key, pool, pg, header, data, repair, new CompletableFuture<>()));
  }

  /** {@link #write(byte[], int, int, RecordHeader, ByteBuffer, boolean)}, then a {@link #sync()} if asked. */
  public CompletableFuture<Boolean> write(byte[] key, int pool, int pg, RecordHeader header, byte[] data,
                                          boolean sync, boolean repair) {
    CompletableFuture<Boolean> w = write(key, pool, pg, header, ByteBuffer.wrap(data), repair);
    return sync ? w.thenCompose(applied -> sync().thenApply(v -> applied)) : w;
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
    return writer.submit(new DiskWriter.Op(null, 0, 0, null, null, false, new CompletableFuture<>()));
  }

  /** Runs under the writer's apply lock only. */
  void applyBatch(List<DiskWriter.Op> ops) {
    try {
      faults.beforeWrite(name);
    } catch (DiskException e) {
      ops.forEach(op -> op.done().completeExceptionally(e));
      return;
    }
    Boolean[] applied = new Boolean[ops.size()];
    Map<ByteBuffer, RecordHeader> pending = new HashMap<>();
    Map<Long, PgMeta> metaChanges = new HashMap<>();
    long used = usedBytes.get();
    WriteBatch wb = batch;
    keyScratch.clear();
    try {
      wb.clear();
      for (int i = 0; i < ops.size(); i++) {
        DiskWriter.Op op = ops.get(i);
        if (op.key() == null) {
          applied[i] = true;
          continue;
        }
        ByteBuffer k = ByteBuffer.wrap(op.key());
        RecordHeader old = pending.containsKey(k) ? pending.get(k) : header(op.key());
        long v = op.header().version();
        if (old != null && (old.version() > v || (old.version() == v && !op.replaceSameVersion()))) {
          applied[i] = false;
          continue;
        }
        long delta = op.header().length() - (old == null ? 0 : old.length());
        if (delta > 0 && used + delta > capacityBytes) {
          applied[i] = null;
          op.done().completeExceptionally(new DiskException(ChunkStatus.CHUNK_DISK_FULL,
              "disk " + name + " is full (" + used + " of " + capacityBytes + " bytes used)"));
          continue;
        }
        used += delta;
        wb.put(indexCf, op.key(), op.header().encode());
        if (op.header().tombstone()) {
          wb.delete(dataCf, op.key());
        } else {
          putData(wb, op);
        }
        long pk = pgKey(op.pool(), op.pg());
        PgMeta m = metaChanges.getOrDefault(pk, pgMeta.getOrDefault(pk, PgMeta.EMPTY));
        if (old == null || old.version() != v) {
          metaChanges.put(pk, m.replace(op.key(), old, v));
        }
        pending.put(k, op.header());
        applied[i] = true;
      }
      for (Map.Entry<Long, PgMeta> e : metaChanges.entrySet()) {
        wb.put(metaCf, ByteBuffer.allocate(8).putLong(e.getKey()).array(), e.getValue().encode());
      }
      wb.put(metaCf, USED_KEY, ByteBuffer.allocate(8).putLong(used).array());
      faults.transfer(wb.getDataSize());
      if (wb.count() > 1) {
        db.write(asyncWrite, wb);
        syncer.wrote();
        batches.increment();
      }
    } catch (RocksDBException e) {
      DiskException de = new DiskException(ChunkStatus.CHUNK_IO_ERROR, "rocksdb write on " + name + ": " + e.getMessage(), e);
      ops.forEach(op -> op.done().completeExceptionally(de));
      return;
    } finally {
      wb.clear();
    }
    pgMeta.putAll(metaChanges);
    usedBytes.set(used);
    for (int i = 0; i < ops.size(); i++) {
      if (applied[i] != null) {
        ops.get(i).done().complete(applied[i]);
      }
    }
  }

  /** Puts the op's data without a Java-heap copy when it is in a direct buffer. */
  private void putData(WriteBatch wb, DiskWriter.Op op) throws RocksDBException {
    ByteBuffer data = op.data().duplicate();
    if (!data.isDirect()) {
      byte[] v = new byte[data.remaining()];
      data.get(v);
      wb.put(dataCf, op.key(), v);
      return;
    }
    ByteBuffer k = keyScratch.slice();
    k.put(op.key()).flip();
    keyScratch.position(keyScratch.position() + op.key().length);
    wb.put(dataCf, k, data);
  }

  // ---------------- reads ----------------

  private void enter() {
    activeReads.incrementAndGet();
    if (closing) {
      activeReads.decrementAndGet();
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "disk " + name + " is closed");
    }
  }

  private void exit() {
    activeReads.decrementAndGet();
  }

  /** The record header, or null if the disk never saw the key. No fault injection: metadata only. */
  public RecordHeader header(byte[] key) {
    enter();
    try {
      return header0(key);
    } finally {
      exit();
    }
  }

  private RecordHeader header0(byte[] key) {
    try {
      return RecordHeader.decode(db.get(indexCf, key));
    } catch (RocksDBException e) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "index read on " + name + ": " + e.getMessage(), e);
    }
  }

  /** A record with its data, as read from the medium (faults applied), not yet verified. */
  public record Stored(RecordHeader header, byte[] data) {
    public boolean checksumOk() {
      return header.tombstone() || Checksums.crc32c(data) == header.crc32c();
    }
  }

  public Stored read(byte[] key) {
    enter();
    try {
      return read0(key);
    } finally {
      exit();
    }
  }

  private Stored read0(byte[] key) {
    faults.beforeRead(name);
    RecordHeader h = header(key);
    if (h == null) {
      return null;
    }
    if (h.tombstone()) {
      return new Stored(h, new byte[0]);
    }
    byte[] data;
    try {
      data = db.get(dataCf, key);
    } catch (RocksDBException e) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "data read on " + name + ": " + e.getMessage(), e);
    }
    if (data == null) {
      data = new byte[0];
    }
    faults.transfer(data.length);
    faults.afterRead(data);
    return new Stored(h, data);
  }

  /**
   * Reads a record's data (faults applied, not verified) into a new direct buffer from
   * {@code alloc}, which the caller releases; null if the record has no data. Callers run on any
   * thread, also event loops: the disk must not {@link DiskFaults#delays() delay}.
   */
  public io.netty.buffer.ByteBuf readData(byte[] key, RecordHeader h, io.netty.buffer.ByteBufAllocator alloc) {
    enter();
    try {
      return readData0(key, h, alloc);
    } finally {
      exit();
    }
  }

  private io.netty.buffer.ByteBuf readData0(byte[] key, RecordHeader h, io.netty.buffer.ByteBufAllocator alloc) {
    faults.beforeRead(name);
    io.netty.buffer.ByteBuf keyBuf = alloc.directBuffer(key.length);
    io.netty.buffer.ByteBuf out = alloc.directBuffer(Math.max(1, h.length()));
    try {
      keyBuf.writeBytes(key);
      ByteBuffer value = out.nioBuffer(0, h.length());
      int n = db.get(dataCf, readOptions, keyBuf.nioBuffer(), value);
      if (n == RocksDB.NOT_FOUND) {
        out.release();
        return null;
      }
      out.writerIndex(Math.min(n, h.length()));
      faults.transfer(out.readableBytes());
      faults.afterRead(out.nioBuffer());
      return out;
    } catch (RocksDBException e) {
      out.release();
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "data read on " + name + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      out.release();
      throw e;
    } finally {
      keyBuf.release();
    }
  }

  public PgMeta summary(int pool, int pg) {
    faults.beforeRead(name);
    return pgMeta.getOrDefault(pgKey(pool, pg), PgMeta.EMPTY);
  }

  /** One listed record of a group: its key and version. */
  public record Listed(byte[] key, long version) {}

  /** Up to {@code limit} records of one group after {@code startAfter} (exclusive), in key order. */
  public List<Listed> list(int pool, int pg, byte[] startAfter, int limit) {
    enter();
    try {
      return list0(pool, pg, startAfter, limit);
    } finally {
      exit();
    }
  }

  private List<Listed> list0(int pool, int pg, byte[] startAfter, int limit) {
    faults.beforeRead(name);
    byte[] prefix = ChunkKeys.pgPrefix(pool, pg);
    List<Listed> out = new ArrayList<>();
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(indexCf, ro)) {
      boolean hasStart = startAfter != null && startAfter.length > 0;
      it.seek(hasStart ? startAfter : prefix);
      if (hasStart && it.isValid() && Arrays.equals(it.key(), startAfter)) {
        it.next();
      }
      for (; it.isValid() && out.size() < limit; it.next()) {
        byte[] k = it.key();
        if (k.length < 8 || !Arrays.equals(k, 0, 8, prefix, 0, 8)) {
          break;
        }
        out.add(new Listed(k, RecordHeader.decode(it.value()).version()));
      }
    }
    return out;
  }

  /** Every group this disk holds records for, as (pool, pg) pairs. */
  public List<int[]> groups() {
    List<int[]> out = new ArrayList<>();
    for (Map.Entry<Long, PgMeta> e : pgMeta.entrySet()) {
      if (e.getValue().count() > 0) {
        out.add(new int[] {(int) (e.getKey() >>> 32), (int) (long) e.getKey()});
      }
    }
    return out;
  }

  // ---------------- fault helpers for tests and the simulator ----------------

  /** Flips one bit of a stored chunk in place, bypassing the index: silent corruption at rest. */
  public boolean corruptAtRest(byte[] key, int bit) {
    enter();
    try {
      return corruptAtRest0(key, bit);
    } finally {
      exit();
    }
  }

  private boolean corruptAtRest0(byte[] key, int bit) {
    try {
      byte[] data = db.get(dataCf, key);
      if (data == null || data.length == 0) {
        return false;
      }
      int b = Math.floorMod(bit, data.length * 8);
      data[b / 8] ^= (byte) (1 << (b % 8));
      db.put(dataCf, asyncWrite, key, data);
      return true;
    } catch (RocksDBException e) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "corrupt on " + name, e);
    }
  }

  /** Reads raw stored bytes (no faults), for checks that a repair really rewrote the copy. */
  public byte[] rawData(byte[] key) {
    enter();
    try {
      return rawData0(key);
    } finally {
      exit();
    }
  }

  private byte[] rawData0(byte[] key) {
    try {
      return db.get(dataCf, key);
    } catch (RocksDBException e) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "raw read on " + name, e);
    }
  }

  @Override
  public void close() {
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
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (activeReads.get() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    Metrics.global().removeGauge("strata_disk_used_bytes{disk=\"" + name + "\"}");
    db.cancelAllBackgroundWork(true);
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    asyncWrite.close();
    readOptions.close();
    batch.close();
    dbOptions.close();
    cfOptions.forEach(ColumnFamilyOptions::close);
  }
}

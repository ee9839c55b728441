package io.strata.metadata.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * The metadata state machine's RocksDB. Column families: {@code cluster} (datanodes, pools, map),
 * {@code kv} (the generic range-scannable key space the gateways fill), {@code sys} (applied
 * index, id counters). The Raft log is the write-ahead log: writes skip RocksDB's own WAL, and
 * after a crash Ratis replays the log from the applied index stored in the same batch as the state
 * it describes. Without a WAL, what survives a crash is the last flush, so flushes are atomic
 * across column families: the applied index on disk never runs ahead of (or behind) the data.
 * The log keeps every entry after the newest snapshot, and a snapshot (a checkpoint) flushes
 * first, so the flushed state is never older than the oldest entry the log still holds.
 * In a profile of small S3 PUTs, RocksDB's WAL writes had been 9% of the process' samples.
 */
public final class MetaStore implements AutoCloseable {
  public enum Cf { CLUSTER, KV, SYS }

  private static final byte[] APPLIED_KEY = "applied".getBytes(StandardCharsets.UTF_8);

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final RocksDB db;
  private final WriteOptions writeOptions = new WriteOptions().setSync(false).setDisableWAL(true);

  public MetaStore(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2).setBytesPerSync(1 << 20).setAtomicFlush(true)
        // A stop leaves the memtables unflushed, as a crash does, so every restart (and every
        // test that restarts a peer) takes the replay path a crash takes. A graceful stop's
        // snapshot flushes anyway.
        .setAvoidFlushDuringShutdown(true);
    this.cfOptions = new ColumnFamilyOptions().optimizeLevelStyleCompaction();
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    for (Cf cf : Cf.values()) {
      descriptors.add(new ColumnFamilyDescriptor(cf.name().toLowerCase().getBytes(StandardCharsets.UTF_8), cfOptions));
    }
    try {
      this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    } catch (RocksDBException e) {
      throw new IOException("cannot open metadata store at " + dir, e);
    }
  }

  public Path dir() {
    return dir;
  }

  public ColumnFamilyHandle handle(Cf cf) {
    return handles.get(cf.ordinal() + 1);
  }

  public byte[] get(Cf cf, byte[] key) {
    try {
      return db.get(handle(cf), key);
    } catch (RocksDBException e) {
      throw new StoreException("get failed in " + cf, e);
    }
  }

  /** Reads through a pending batch, so commands later in one log entry see earlier ones. */
  public byte[] get(WriteBatchWithIndex batch, Cf cf, byte[] key) {
    try (ReadOptions ro = new ReadOptions()) {
      return batch.getFromBatchAndDB(db, handle(cf), ro, key);
    } catch (RocksDBException e) {
      throw new StoreException("get failed in " + cf, e);
    }
  }

  /** One key/value pair of a scan. */
  public record Entry(byte[] key, byte[] value) {}

  /**
   * Keys starting with {@code prefix}, strictly after {@code startAfter} (if non-empty), at most
   * {@code limit} of them, in byte order.
   */
  public List<Entry> scan(Cf cf, byte[] prefix, byte[] startAfter, int limit) {
    List<Entry> out = new ArrayList<>();
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(handle(cf), ro)) {
      boolean hasStart = startAfter != null && startAfter.length > 0
          && Arrays.compareUnsigned(startAfter, prefix) >= 0;
      it.seek(hasStart ? startAfter : prefix);
      if (hasStart && it.isValid() && Arrays.equals(it.key(), startAfter)) {
        it.next();
      }
      for (; it.isValid() && out.size() < limit; it.next()) {
        byte[] k = it.key();
        if (!startsWith(k, prefix)) {
          break;
        }
        out.add(new Entry(k, it.value()));
      }
    }
    return out;
  }

  public void write(WriteBatchWithIndex batch) {
    try {
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new StoreException("write failed", e);
    }
  }

  /** The (term, index) of the last applied log entry, or (0, 0) for a fresh store. */
  public long[] appliedTermIndex() {
    byte[] v = get(Cf.SYS, APPLIED_KEY);
    if (v == null) {
      return new long[] {0, 0};
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    return new long[] {b.getLong(), b.getLong()};
  }

  public void putApplied(WriteBatchWithIndex batch, long term, long index) {
    try {
      batch.put(handle(Cf.SYS), APPLIED_KEY, ByteBuffer.allocate(16).putLong(term).putLong(index).array());
    } catch (RocksDBException e) {
      throw new StoreException("batch put failed", e);
    }
  }

  /** A consistent copy of the whole store (hard links where possible) in a new directory. */
  public void checkpoint(Path target) throws IOException {
    try (Checkpoint cp = Checkpoint.create(db)) {
      cp.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new IOException("checkpoint to " + target + " failed", e);
    }
  }

  static boolean startsWith(byte[] k, byte[] prefix) {
    if (k.length < prefix.length) {
      return false;
    }
    return Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length);
  }

  @Override
  public void close() {
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    writeOptions.close();
    dbOptions.close();
    cfOptions.close();
  }

  /** A RocksDB failure underneath the state machine: not recoverable in place. */
  public static final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

package io.strata.datanode.disk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * A disk's RocksDB: column families {@code index} (key to {@link RecordHeader}), {@code data}
 * (values of 4 KiB up to the extent threshold in BlobDB files, smaller ones inline) and
 * {@code pgmeta} (per-group summaries, used bytes, live bytes per extent segment). Options for 2
 * cores and SSDs (PERFORMANCE.md rules 9-11): two background jobs, 1 MiB bytes-per-sync, recycled
 * WAL files, bloom filters on the point-lookup column families. Writes never sync here.
 */
final class DiskStore implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  /**
   * One block cache for every disk of the process (RocksDB's default is 8 MiB per table
   * factory). A write reads its key's current header first, so once a disk's index outgrew
   * 8 MiB each 4 KiB write paid a block read and decode from the page cache, and random writes
   * slowed the longer they ran (docs/benchmarks.md, 2026-12-07 19:00). Off the Java heap;
   * {@code -Dstrata.rocksdb.blockCacheMiB} sizes it.
   */
  private static final LRUCache BLOCK_CACHE = new LRUCache(
      (long) Integer.getInteger("strata.rocksdb.blockCacheMiB", 256) << 20);

  final RocksDB db;
  final ColumnFamilyHandle indexCf;
  final ColumnFamilyHandle dataCf;
  final ColumnFamilyHandle metaCf;
  final ReadOptions readOptions = new ReadOptions();
  final WriteOptions asyncWrite = new WriteOptions().setSync(false);
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();

  DiskStore(String name, Path dir) throws IOException {
    Files.createDirectories(dir);
    this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2).setBytesPerSync(1 << 20).setWalBytesPerSync(1 << 20)
        .setRecycleLogFileNum(4).setKeepLogFileNum(4)
        .setAllowConcurrentMemtableWrite(false);  // one writer per disk anyway; in-place updates need it
    // Memtable bloom filters: a point read of a key not in a memtable skips its skip-list walk,
    // which was 8.6% of the CPU of NBD random reads at 16 in flight (2.3% with them).
    ColumnFamilyOptions plain = new ColumnFamilyOptions().setWriteBufferSize(8 << 20)
        .setMemtablePrefixBloomSizeRatio(0.1).setMemtableWholeKeyFiltering(true)
        .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false))
            .setBlockCache(BLOCK_CACHE).setPinL0FilterAndIndexBlocksInCache(true).setCacheIndexAndFilterBlocks(true));
    // Chunk bytes are opaque (often compressed or encrypted already): compressing them at every
    // flush and compaction would spend a core on nothing. Bigger memtables mean fewer L0 files.
    // Values from 4 KiB (a block-gateway block) go to blob files: inline, every 4 KiB write was
    // rewritten by each level's compaction, and flush plus compaction took 45% of the process's
    // CPU in the 1 MiB sequential NBD write profile; as blobs, compaction moves only pointers
    // (docs/benchmarks.md, 2026-12-02 evening).
    ColumnFamilyOptions blobs = new ColumnFamilyOptions().setWriteBufferSize(32 << 20).setMaxWriteBufferNumber(4)
        .setMemtablePrefixBloomSizeRatio(0.1).setMemtableWholeKeyFiltering(true)
        .setCompressionType(CompressionType.NO_COMPRESSION)
        .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false))
            .setBlockCache(BLOCK_CACHE))
        .setEnableBlobFiles(true).setMinBlobSize(4 * 1024).setBlobFileSize(64L << 20)
        .setEnableBlobGarbageCollection(true);
    // The summaries, used bytes and segment live bytes are a few fixed-size values rewritten by
    // every batch: updated in place, their memtable stays a few entries long instead of growing
    // by each batch's versions, which made every insert a long skip-list walk.
    ColumnFamilyOptions counters = new ColumnFamilyOptions().setWriteBufferSize(8 << 20).setInplaceUpdateSupport(true)
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(BLOCK_CACHE));
    cfOptions.add(plain);
    cfOptions.add(blobs);
    cfOptions.add(counters);
    List<ColumnFamilyDescriptor> d = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plain),
        new ColumnFamilyDescriptor("index".getBytes(StandardCharsets.UTF_8), plain),
        new ColumnFamilyDescriptor("data".getBytes(StandardCharsets.UTF_8), blobs),
        new ColumnFamilyDescriptor("pgmeta".getBytes(StandardCharsets.UTF_8), counters));
    try {
      this.db = RocksDB.open(dbOptions, dir.toString(), d, handles);
    } catch (RocksDBException e) {
      throw new IOException("cannot open disk " + name + " at " + dir, e);
    }
    this.indexCf = handles.get(1);
    this.dataCf = handles.get(2);
    this.metaCf = handles.get(3);
  }

  @Override
  public void close() {
    db.cancelAllBackgroundWork(true);
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    asyncWrite.close();
    readOptions.close();
    dbOptions.close();
    cfOptions.forEach(ColumnFamilyOptions::close);
  }
}

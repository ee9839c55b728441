package io.strata.metadata.store;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatchWithIndex;

/** The writes of one log entry: read-your-writes through the index, applied as one RocksDB write. */
public final class Batch implements AutoCloseable {
  private final MetaStore store;
  private final WriteBatchWithIndex wb = new WriteBatchWithIndex(true);

  public Batch(MetaStore store) {
    this.store = store;
  }

  public byte[] get(MetaStore.Cf cf, byte[] key) {
    return store.get(wb, cf, key);
  }

  public void put(MetaStore.Cf cf, byte[] key, byte[] value) {
    try {
      wb.put(store.handle(cf), key, value);
    } catch (RocksDBException e) {
      throw new MetaStore.StoreException("batch put failed", e);
    }
  }

  public void delete(MetaStore.Cf cf, byte[] key) {
    try {
      wb.delete(store.handle(cf), key);
    } catch (RocksDBException e) {
      throw new MetaStore.StoreException("batch delete failed", e);
    }
  }

  public void commit(long term, long index) {
    store.putApplied(wb, term, index);
    store.write(wb);
  }

  @Override
  public void close() {
    wb.close();
  }
}

package io.strata.datanode.disk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.strata.proto.ChunkStatus;
import io.strata.transport.EventLoops;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Reads of one disk: headers, data (inline in RocksDB or in an extent, with the disk's faults
 * applied) and group listings, plus the corruption helpers tests use. A record whose extent was
 * moved by compaction between reading its header and its data is read again at the new place.
 */
final class DiskReader {
  static final int MOVED_RETRIES = 3;

  private final String name;
  private final DiskStore store;
  private final ExtentStore extents;
  private final DiskFaults faults;

  DiskReader(String name, DiskStore store, ExtentStore extents, DiskFaults faults) {
    this.name = name;
    this.store = store;
    this.extents = extents;
    this.faults = faults;
  }

  RecordHeader header(byte[] key) {
    try {
      return RecordHeader.decode(store.db.get(store.indexCf, key));
    } catch (RocksDBException e) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "index read on " + name + ": " + e.getMessage(), e);
    }
  }

  SimulatedDisk.Stored read(byte[] key) {
    faults.beforeRead(name);
    RecordHeader h = header(key);
    if (h == null) {
      return null;
    }
    if (h.tombstone()) {
      return new SimulatedDisk.Stored(h, new byte[0]);
    }
    if (h.external()) {
      ByteBuf b = extentData(key, h, EventLoops.ALLOCATOR);
      try {
        byte[] data = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), data);
        faults.transfer(data.length);
        faults.afterRead(data);
        return new SimulatedDisk.Stored(header(key), data);
      } finally {
        b.release();
      }
    }
    byte[] data;
    try {
      data = store.db.get(store.dataCf, key);
    } catch (RocksDBException e) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "data read on " + name + ": " + e.getMessage(), e);
    }
    if (data == null) {
      data = new byte[0];
    }
    faults.transfer(data.length);
    faults.afterRead(data);
    return new SimulatedDisk.Stored(h, data);
  }

  ByteBuf readData(byte[] key, RecordHeader h, ByteBufAllocator alloc) {
    faults.beforeRead(name);
    ByteBuf out = h.external() ? extentData(key, h, alloc) : inlineData(key, h, alloc);
    if (out != null) {
      try {
        faults.transfer(out.readableBytes());
        faults.afterRead(out.nioBuffer());
      } catch (RuntimeException e) {
        out.release();
        throw e;
      }
    }
    return out;
  }

  /**
   * The data of packed records whose entries lie block after block in one segment, starting
   * at {@code first}'s: {@code bytes} in one read, faults applied as to one read.
   */
  ByteBuf readPackedRun(RecordHeader first, int bytes, ByteBufAllocator alloc) {
    faults.beforeRead(name);
    ByteBuf out;
    try {
      out = extents.readPackedRun(first.pointer(), bytes, alloc);
    } catch (IOException e) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "extent read on " + name + ": " + e.getMessage(), e);
    }
    try {
      faults.transfer(bytes);
      faults.afterRead(out.nioBuffer());
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
    return out;
  }

  private ByteBuf inlineData(byte[] key, RecordHeader h, ByteBufAllocator alloc) {
    ByteBuf keyBuf = alloc.directBuffer(key.length);
    ByteBuf out = alloc.directBuffer(Math.max(1, h.length()));
    try {
      keyBuf.writeBytes(key);
      int n = store.db.get(store.dataCf, store.readOptions, keyBuf.nioBuffer(), out.nioBuffer(0, h.length()));
      if (n == RocksDB.NOT_FOUND) {
        out.release();
        return null;
      }
      out.writerIndex(Math.min(n, h.length()));
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

  /** The data of an external record, following it if compaction moved it meanwhile. */
  private ByteBuf extentData(byte[] key, RecordHeader h, ByteBufAllocator alloc) {
    RecordHeader at = h;
    for (int attempt = 0; ; attempt++) {
      try {
        return extents.read(at.pointer(), key, at.version(), at.length(), alloc);
      } catch (IOException e) {
        RecordHeader now = header(key);
        if (attempt >= MOVED_RETRIES || now == null || now.extent() == at.extent() || !now.external()
            || now.version() != h.version()) {
          throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "extent read on " + name + ": " + e.getMessage(), e);
        }
        at = now;
      }
    }
  }

  List<SimulatedDisk.Listed> list(int pool, int pg, byte[] startAfter, int limit) {
    faults.beforeRead(name);
    byte[] prefix = ChunkKeys.pgPrefix(pool, pg);
    List<SimulatedDisk.Listed> out = new ArrayList<>();
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = store.db.newIterator(store.indexCf, ro)) {
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
        out.add(new SimulatedDisk.Listed(k, RecordHeader.decode(it.value()).version()));
      }
    }
    return out;
  }

  /** Flips one bit of a stored chunk in place, bypassing the index: silent corruption at rest. */
  boolean corruptAtRest(byte[] key, int bit) {
    try {
      RecordHeader h = header(key);
      if (h != null && h.external()) {
        if (h.length() == 0) {
          return false;
        }
        extents.corrupt(h.pointer(), key, h.length(), bit);
        return true;
      }
      byte[] data = store.db.get(store.dataCf, key);
      if (data == null || data.length == 0) {
        return false;
      }
      int b = Math.floorMod(bit, data.length * 8);
      data[b / 8] ^= (byte) (1 << (b % 8));
      store.db.put(store.dataCf, store.asyncWrite, key, data);
      return true;
    } catch (RocksDBException | IOException e) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "corrupt on " + name, e);
    }
  }

  /** Raw stored bytes (no faults), for checks that a repair really rewrote the copy. */
  byte[] rawData(byte[] key) {
    try {
      RecordHeader h = header(key);
      if (h != null && h.external()) {
        ByteBuf b = extentData(key, h, EventLoops.ALLOCATOR);
        try {
          byte[] out = new byte[b.readableBytes()];
          b.getBytes(b.readerIndex(), out);
          return out;
        } finally {
          b.release();
        }
      }
      return store.db.get(store.dataCf, key);
    } catch (RocksDBException e) {
      throw new DiskException(ChunkStatus.CHUNK_IO_ERROR, "raw read on " + name, e);
    }
  }
}

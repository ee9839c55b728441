package io.strata.datanode.disk;

import java.nio.ByteBuffer;

/**
 * The small per-chunk record kept in the {@code index} column family: the version the primary
 * assigned, the CRC32C of the data, its length, whether it is a tombstone, and, for a large value
 * kept in the {@link ExtentStore}, where it is. Peering and scrubbing walk these without touching
 * the data. Encoded in 17 bytes (data inline in RocksDB) or 25 (data in an extent); the flags
 * byte is 1 for a tombstone, as before extents existed, so old headers still decode.
 */
public record RecordHeader(long version, int crc32c, int length, boolean tombstone, long extent) {
  static final int BYTES = 17;
  static final int EXTENT_BYTES = BYTES + 8;
  private static final int TOMBSTONE = 1;
  private static final int EXTERNAL = 2;

  public RecordHeader(long version, int crc32c, int length, boolean tombstone) {
    this(version, crc32c, length, tombstone, ExtentStore.Pointer.NONE);
  }

  public boolean external() {
    return extent != ExtentStore.Pointer.NONE;
  }

  /** Data in a pack of small values: a page-cache read of a few blocks, fine on an event loop. */
  public boolean packed() {
    return external() && ExtentStore.Pointer.decode(extent).packed();
  }

  ExtentStore.Pointer pointer() {
    return ExtentStore.Pointer.decode(extent);
  }

  RecordHeader at(ExtentStore.Pointer p) {
    return new RecordHeader(version, crc32c, length, tombstone, p == null ? ExtentStore.Pointer.NONE : p.encode());
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(external() ? EXTENT_BYTES : BYTES).putLong(version).putInt(crc32c)
        .putInt(length).put((byte) ((tombstone ? TOMBSTONE : 0) | (external() ? EXTERNAL : 0)));
    if (external()) {
      b.putLong(extent);
    }
    return b.array();
  }

  static RecordHeader decode(byte[] b) {
    if (b == null) {
      return null;
    }
    if (b.length != BYTES && b.length != EXTENT_BYTES) {
      throw new IllegalStateException("corrupt record header of " + b.length + " bytes");
    }
    ByteBuffer buf = ByteBuffer.wrap(b);
    long version = buf.getLong();
    int crc = buf.getInt();
    int length = buf.getInt();
    int flags = buf.get();
    long extent = (flags & EXTERNAL) != 0 && b.length == EXTENT_BYTES ? buf.getLong() : ExtentStore.Pointer.NONE;
    return new RecordHeader(version, crc, length, (flags & TOMBSTONE) != 0, extent);
  }
}

package io.strata.datanode.disk;

import java.nio.ByteBuffer;

/**
 * The small per-chunk record kept in the {@code index} column family next to the data: the
 * version the primary assigned, the CRC32C of the data, its length and whether it is a
 * tombstone. Peering and scrubbing walk these without touching the data.
 */
public record RecordHeader(long version, int crc32c, int length, boolean tombstone) {
  static final int BYTES = 17;

  byte[] encode() {
    return ByteBuffer.allocate(BYTES).putLong(version).putInt(crc32c).putInt(length)
        .put((byte) (tombstone ? 1 : 0)).array();
  }

  static RecordHeader decode(byte[] b) {
    if (b == null) {
      return null;
    }
    if (b.length != BYTES) {
      throw new IllegalStateException("corrupt record header of " + b.length + " bytes");
    }
    ByteBuffer buf = ByteBuffer.wrap(b);
    return new RecordHeader(buf.getLong(), buf.getInt(), buf.getInt(), buf.get() != 0);
  }
}

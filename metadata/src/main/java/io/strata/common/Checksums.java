package io.strata.common;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C, the end-to-end checksum of every byte Strata stores (invariant 2). */
public final class Checksums {
  private Checksums() {}

  public static int crc32c(byte[] data) {
    return crc32c(data, 0, data.length);
  }

  public static int crc32c(byte[] data, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(data, off, len);
    return (int) c.getValue();
  }

  public static int crc32c(ByteBuffer data) {
    CRC32C c = new CRC32C();
    c.update(data.duplicate());
    return (int) c.getValue();
  }
}

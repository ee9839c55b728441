package io.strata.block.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Local raw images for the real-client tests: seeded random data with zero holes, streamed to disk. */
final class Images {
  static final int STEP = 1 << 20;

  private Images() {}

  /**
   * Writes {@code bytes} of seeded random data; every {@code holeEvery}-th MiB (0 = none) is left
   * zero so that clients can skip it (qemu-img's zero detection, TRIM, WRITE_ZEROES).
   */
  static Path random(Path file, long bytes, long seed, int holeEvery) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] buf = new byte[STEP];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long at = 0, mib = 0; at < bytes; at += STEP, mib++) {
        int n = (int) Math.min(STEP, bytes - at);
        if (holeEvery > 0 && mib % holeEvery == holeEvery - 1) {
          java.util.Arrays.fill(buf, 0, n, (byte) 0);
        } else {
          for (int i = 0; i < n; i += 8) {
            long v = rnd.nextLong();
            for (int k = 0; k < 8 && i + k < n; k++) {
              buf[i + k] = (byte) (v >>> (8 * k));
            }
          }
        }
        out.write(buf, 0, n);
      }
    }
    return file;
  }

  /** A copy of {@code from} with {@code length} bytes at {@code offset} replaced by seeded random data. */
  static Path overwrite(Path from, Path to, long offset, int length, long seed) throws IOException {
    byte[] b = new byte[length];
    new java.util.Random(seed).nextBytes(b);
    return patch(from, to, offset, b);
  }

  /** A copy of {@code from} (or {@code from} itself if {@code to} is the same file) with a zeroed range. */
  static Path zero(Path from, Path to, long offset, int length) throws IOException {
    return patch(from, to, offset, new byte[length]);
  }

  private static Path patch(Path from, Path to, long offset, byte[] b) throws IOException {
    if (!from.equals(to)) {
      Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(to, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(b), offset);
    }
    return to;
  }
}

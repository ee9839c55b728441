package io.strata.nfs.fs;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Space and inode counts of one file system, enforced against the share's size. Logical bytes
 * (the sum of file sizes) are counted, so a sparse file counts its full length. The counts live
 * in gateway memory and are checkpointed in metadata with a clean flag at shutdown; after a
 * crash they are recomputed from the inodes when the file system is opened.
 */
final class Usage {
  private final long limitBytes;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong files = new AtomicLong();

  Usage(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  void set(long usedBytes, long fileCount) {
    bytes.set(usedBytes);
    files.set(fileCount);
  }

  /** Grows usage by {@code delta} bytes or refuses with DQUOT; shrinking always succeeds. */
  void reserve(long delta) {
    if (delta <= 0) {
      bytes.addAndGet(delta);
      return;
    }
    while (true) {
      long cur = bytes.get();
      if (cur + delta > limitBytes) {
        throw new FsException(FsStatus.DQUOT, "share quota of " + limitBytes + " bytes: " + cur + " used, "
            + delta + " more asked");
      }
      if (bytes.compareAndSet(cur, cur + delta)) {
        return;
      }
    }
  }

  void release(long delta) {
    bytes.addAndGet(-delta);
  }

  void fileAdded() {
    files.incrementAndGet();
  }

  void fileRemoved() {
    files.decrementAndGet();
  }

  long usedBytes() {
    return Math.max(0, bytes.get());
  }

  long fileCount() {
    return Math.max(0, files.get());
  }

  long limitBytes() {
    return limitBytes;
  }

  static byte[] encode(long bytes, long files, boolean clean) {
    return ByteBuffer.allocate(17).putLong(bytes).putLong(files).put((byte) (clean ? 1 : 0)).array();
  }

  /** {bytes, files, clean(1/0)} or null for an unreadable record. */
  static long[] decode(byte[] v) {
    if (v.length != 17) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    return new long[] {b.getLong(), b.getLong(), b.get()};
  }
}

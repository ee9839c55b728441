package io.strata.nfs.fs;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped per-inode locks. An operation locks every inode it changes, always in stripe order, so
 * two operations can never wait on each other; the lock is held across the metadata commit so
 * changes to one inode reach the log in the order they were computed.
 */
final class LockTable {
  static final int STRIPES = 1024;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  LockTable() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** Held locks; closing releases them. */
  static final class Held implements AutoCloseable {
    private final ReentrantLock[] locks;

    Held(ReentrantLock[] locks) {
      this.locks = locks;
    }

    @Override
    public void close() {
      for (int i = locks.length - 1; i >= 0; i--) {
        locks[i].unlock();
      }
    }
  }

  Held lock(long... inodes) {
    int[] idx = Arrays.stream(inodes).mapToInt(LockTable::stripe).sorted().distinct().toArray();
    ReentrantLock[] held = new ReentrantLock[idx.length];
    for (int i = 0; i < idx.length; i++) {
      held[i] = stripes[idx[i]];
      held[i].lock();
    }
    return new Held(held);
  }

  boolean isHeldByCurrentThread(long ino) {
    return stripes[stripe(ino)].isHeldByCurrentThread();
  }

  static int stripe(long ino) {
    long h = ino * 0x9E3779B97F4A7C15L;
    return (int) ((h >>> 40) & (STRIPES - 1));
  }
}

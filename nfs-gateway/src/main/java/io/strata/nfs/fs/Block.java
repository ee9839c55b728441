package io.strata.nfs.fs;

import java.util.concurrent.CompletableFuture;

/**
 * One cached block of a file, guarded by its {@link FileState}'s monitor. The array grows with
 * the valid length, so a 4 KiB file costs 4 KiB, not a whole block.
 */
final class Block {
  final long index;
  byte[] data = new byte[0];
  /** Valid bytes from the start of the block. */
  int length;
  /** True once the content reflects what is stored (or nothing is stored). */
  boolean loaded;
  boolean dirty;
  /** Bumped on every change; a flush marks the block clean only if nothing changed meanwhile. */
  long dirtyGen;
  /** Set while a load from the datanodes is in flight. */
  CompletableFuture<Void> loading;
  /** Set while a write to the datanodes is in flight (at most one per block, so they stay ordered). */
  CompletableFuture<Void> flushing;
  long dirtySinceNanos;

  Block(long index) {
    this.index = index;
  }

  /** Makes room for {@code n} valid bytes; returns how many bytes the array grew by. */
  int ensureCapacity(int n, int blockBytes) {
    if (data.length >= n) {
      return 0;
    }
    int cap = Math.min(blockBytes, Math.max(n, Math.min(blockBytes, data.length * 2)));
    byte[] bigger = new byte[cap];
    System.arraycopy(data, 0, bigger, 0, length);
    int grew = cap - data.length;
    data = bigger;
    return grew;
  }

  boolean busy() {
    return dirty || loading != null || flushing != null;
  }
}

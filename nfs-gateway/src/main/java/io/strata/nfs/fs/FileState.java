package io.strata.nfs.fs;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What the gateway holds in memory for one regular file: its cached blocks and its write-back
 * attributes (size, mtime, ctime, atime changed by WRITE/READ but not yet in metadata). All
 * fields are guarded by this object's monitor. While {@link #attrsDirty()} the values here are
 * newer than the stored inode.
 */
final class FileState {
  final long ino;
  /** READ/WRITE hold it shared; truncation and removal exclusively, so no write races a trim. */
  final ReentrantReadWriteLock ioLock = new ReentrantReadWriteLock();
  long size;
  long mtime;
  long ctime;
  long atime;
  /** Changes to the attributes above; {@link #persistedGen} is the last one stored. */
  long attrGen;
  long persistedGen;
  /** Bytes that may exist on the datanodes (stored size, or more after flushes). */
  long storedHigh;
  final TreeMap<Long, Block> blocks = new TreeMap<>();
  /** Placement groups written without sync since the last COMMIT → the write that last did. */
  final Map<Integer, Long> unsyncedPgs = new HashMap<>();
  long writeSeq;
  /** A background flush failure, reported by the next COMMIT. */
  FsException error;
  long lastReadEnd = -1;
  long lastUseNanos = System.nanoTime();

  FileState(Inode stored) {
    this.ino = stored.id;
    adoptStored(stored);
    this.storedHigh = stored.size;
  }

  /** Takes the stored attributes when nothing newer is held here. */
  void adoptStored(Inode stored) {
    if (!attrsDirty()) {
      size = stored.size;
      mtime = stored.mtime;
      ctime = stored.ctime;
      atime = stored.atime;
    }
  }

  boolean attrsDirty() {
    return attrGen != persistedGen;
  }

  void touchAttrs() {
    attrGen++;
  }

  /** After the attributes of generation {@code gen} are stored. */
  void persisted(long gen) {
    if (gen > persistedGen) {
      persistedGen = Math.min(gen, attrGen);
    }
  }

  /** The stored inode overlaid with what is held here. */
  Inode overlay(Inode stored) {
    if (!attrsDirty()) {
      return stored;
    }
    return stored.toBuilder().size(size).mtime(mtime).ctime(ctime).atime(atime).build();
  }

  boolean hasDirtyData() {
    for (Block b : blocks.values()) {
      if (b.dirty || b.flushing != null) {
        return true;
      }
    }
    return !unsyncedPgs.isEmpty();
  }

  boolean idle() {
    return blocks.isEmpty() && !attrsDirty() && unsyncedPgs.isEmpty() && error == null;
  }
}

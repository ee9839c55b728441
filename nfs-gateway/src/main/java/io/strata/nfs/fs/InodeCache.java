package io.strata.nfs.fs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Inodes and directory entries this gateway has read or written. The gateway holds the file
 * system's lease and every change goes through it, so a cached record is the stored one; entries
 * are filled and changed only under the inode's lock (see {@link LockTable}), and an entry is never
 * replaced by an older version. Negative dentries (a name known absent) are cached too, which is
 * what makes CREATE of a new name cost no metadata read. Bounded LRU.
 */
final class InodeCache {
  static final int MAX_INODES = 200_000;
  static final int MAX_DENTRIES = 200_000;

  /** A cached dentry lookup: the entry, or null when the name is known absent. */
  record Lookup(Dentry entry) {}

  private record Key(long dir, String name) {}

  private final Map<Long, Inode> inodes = lru(MAX_INODES);
  private final Map<Key, Lookup> dentries = lru(MAX_DENTRIES);

  private static <K, V> Map<K, V> lru(int max) {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> e) {
        return size() > max;
      }
    };
  }

  synchronized Inode inode(long ino) {
    return inodes.get(ino);
  }

  synchronized void put(Inode i) {
    Inode old = inodes.get(i.id);
    if (old == null || old.version <= i.version) {
      inodes.put(i.id, i);
    }
  }

  synchronized void forgetInode(long ino) {
    inodes.remove(ino);
  }

  synchronized Lookup dentry(long dir, String name) {
    return dentries.get(new Key(dir, name));
  }

  synchronized void putDentry(long dir, String name, Dentry d) {
    dentries.put(new Key(dir, name), new Lookup(d));
  }

  synchronized void forgetDentry(long dir, String name) {
    dentries.remove(new Key(dir, name));
  }

  synchronized void clear() {
    inodes.clear();
    dentries.clear();
  }

  synchronized int inodeCount() {
    return inodes.size();
  }

  static boolean same(Dentry a, Dentry b) {
    return Objects.equals(a, b);
  }
}

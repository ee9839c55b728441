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
 *
 * <p>For directories this gateway created, the full set of names is also kept ("complete"
 * directories), so a name that is not there is known absent without asking metadata. A complete
 * set that would pass {@link #MAX_COMPLETE_NAMES} in total, or any entry change whose outcome is
 * unknown, simply makes that directory incomplete again.
 */
final class InodeCache {
  static final int MAX_INODES = 200_000;
  static final int MAX_DENTRIES = 200_000;
  static final int MAX_COMPLETE_NAMES = 1_000_000;

  /** A cached dentry lookup: the entry, or null when the name is known absent. */
  record Lookup(Dentry entry) {}

  private record Key(long dir, String name) {}

  private final Map<Long, Inode> inodes = lru(MAX_INODES);
  private final Map<Key, Lookup> dentries = lru(MAX_DENTRIES);
  private final Map<Long, java.util.Set<String>> complete = new java.util.HashMap<>();
  private int completeNames;

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
    Lookup l = dentries.get(new Key(dir, name));
    if (l != null) {
      return l;
    }
    java.util.Set<String> names = complete.get(dir);
    return names != null && !names.contains(name) ? new Lookup(null) : null;
  }

  /** Records what a committed change made of a name (null: the name is gone). */
  synchronized void putDentry(long dir, String name, Dentry d) {
    dentries.put(new Key(dir, name), new Lookup(d));
    java.util.Set<String> names = complete.get(dir);
    if (names == null) {
      return;
    }
    if (d == null) {
      completeNames -= names.remove(name) ? 1 : 0;
    } else if (names.add(name) && ++completeNames > MAX_COMPLETE_NAMES) {
      incomplete(dir);
    }
  }

  /**
   * Caches what a read found, unless the directory changed since {@code dirVersion} (a change
   * committed meanwhile has put the newer truth, which must not be overwritten).
   */
  synchronized void putReadDentry(long dir, long dirVersion, String name, Dentry d) {
    Inode di = inodes.get(dir);
    if (di != null && di.version == dirVersion) {
      dentries.put(new Key(dir, name), new Lookup(d));
    }
  }

  synchronized void forgetDentry(long dir, String name) {
    dentries.remove(new Key(dir, name));
    incomplete(dir);
  }

  /** A directory created by this gateway: it starts empty and every change to it goes through us. */
  synchronized void markComplete(long dir) {
    complete.putIfAbsent(dir, new java.util.HashSet<>());
  }

  private void incomplete(long dir) {
    java.util.Set<String> names = complete.remove(dir);
    if (names != null) {
      completeNames -= names.size();
    }
  }

  synchronized void forgetDirectory(long dir) {
    incomplete(dir);
  }

  synchronized void clear() {
    inodes.clear();
    dentries.clear();
    complete.clear();
    completeNames = 0;
  }

  synchronized int inodeCount() {
    return inodes.size();
  }

  static boolean same(Dentry a, Dentry b) {
    return Objects.equals(a, b);
  }
}

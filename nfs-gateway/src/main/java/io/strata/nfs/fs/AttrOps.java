package io.strata.nfs.fs;

import java.util.ArrayList;
import java.util.List;

/**
 * SETATTR with POSIX rules (as Linux applies them), and storing write-back attributes. Who may
 * change what: mode by the owner or root (a non-member's setgid is dropped); the owner by root
 * (the owner may only "change" it to itself); the group by root, or by the owner to the current
 * group or one they belong to; any owner or group change drops setuid (and setgid
 * with group-exec) from non-directories; size needs write access and drops setuid like a write;
 * times set to the server's clock need ownership or write access, explicit times ownership.
 * Every SETATTR changes ctime.
 */
public final class AttrOps {
  private final FileSystem fs;

  AttrOps(FileSystem fs) {
    this.fs = fs;
  }

  /** SETATTR; {@code guardCtime} (guarded SETATTR) must equal the current ctime or NOT_SYNC. */
  public Change setattr(Caller c, long ino, SetAttrs a, Long guardCtime) {
    return fs.mutate(() -> {
      try (LockTable.Held h = fs.locks.lock(ino)) {
        FileSystem.Current cur = fs.currentState(ino);
        if (cur == null) {
          throw new FsException(FsStatus.STALE, "inode " + ino + " gone");
        }
        Inode before = cur.inode();
        if (guardCtime != null && guardCtime != before.ctime) {
          throw new FsException(FsStatus.NOT_SYNC, "guard ctime " + guardCtime + " != " + before.ctime);
        }
        long now = fs.clock.now();
        Inode.Builder b = before.toBuilder().createVerifier(0).ctime(now);
        applyOwnership(c, before, a, b);
        applyMode(c, before, a, b);
        applyTimes(c, before, a, b, now);
        if (a.size() != null) {
          return resize(c, cur, b, a.size(), now);
        }
        return store(cur, before, b.build());
      }
    });
  }

  private static void applyOwnership(Caller c, Inode i, SetAttrs a, Inode.Builder b) {
    boolean owner = c.uid() == i.uid;
    if (a.uid() != null && !c.isRoot() && !(owner && a.uid() == i.uid)) {
      throw new FsException(FsStatus.PERM, "only root changes the owner of " + i.id);
    }
    if (a.gid() != null && !c.isRoot() && !(owner && (a.gid() == i.gid || c.inGroup(a.gid())))) {
      throw new FsException(FsStatus.PERM, c + " may not give " + i.id + " to group " + a.gid());
    }
    if (a.uid() != null || a.gid() != null) {
      if (a.uid() != null) {
        b.uid(a.uid());
      }
      if (a.gid() != null) {
        b.gid(a.gid());
      }
      if (!i.isDir() && i.type != FileType.LNK) {
        b.mode(Permissions.killSuid(b.mode()));
      }
    }
  }

  private static void applyMode(Caller c, Inode i, SetAttrs a, Inode.Builder b) {
    if (a.mode() == null) {
      return;
    }
    if (!c.isRoot() && c.uid() != i.uid) {
      throw new FsException(FsStatus.PERM, c + " does not own " + i.id);
    }
    int m = a.mode() & Inode.PERMISSION_BITS;
    int gid = a.gid() != null ? a.gid() : i.gid;
    if (!c.isRoot() && !i.isDir() && (m & Inode.S_ISGID) != 0 && !c.inGroup(gid)) {
      m &= ~Inode.S_ISGID;
    }
    b.mode(m);
  }

  private static void applyTimes(Caller c, Inode i, SetAttrs a, Inode.Builder b, long now) {
    boolean owner = c.isRoot() || c.uid() == i.uid;
    for (Long t : new Long[] {a.atime(), a.mtime()}) {
      if (t == null) {
        continue;
      }
      if (t == SetAttrs.SERVER_TIME) {
        if (!owner && !Permissions.allowed(c, i, Permissions.WRITE)) {
          throw new FsException(FsStatus.ACCES, c + " may not touch " + i.id);
        }
      } else if (!owner) {
        throw new FsException(FsStatus.PERM, c + " may not set times of " + i.id);
      }
    }
    if (a.atime() != null) {
      b.atime(a.atime() == SetAttrs.SERVER_TIME ? now : a.atime());
    }
    if (a.mtime() != null) {
      b.mtime(a.mtime() == SetAttrs.SERVER_TIME ? now : a.mtime());
    }
  }

  /** A size change: data beyond the new end is removed before the new size is committed. */
  private Change resize(Caller c, FileSystem.Current cur, Inode.Builder b, long size, long now) {
    Inode i = cur.inode();
    if (i.isDir()) {
      throw new FsException(FsStatus.ISDIR, "inode " + i.id + " is a directory");
    }
    if (i.type != FileType.REG) {
      throw new FsException(FsStatus.INVAL, "inode " + i.id + " is not a regular file");
    }
    if (size < 0 || size > FileSystem.MAX_FILE_BYTES) {
      throw new FsException(FsStatus.FBIG, "size " + size);
    }
    Permissions.checkData(c, i, Permissions.WRITE);
    b.size(size).mtime(now);
    if (!c.isRoot()) {
      b.mode(Permissions.killSuid(b.mode()));
    }
    FileState st = fs.data.state(fs.storedOrStale(i.id));
    st.ioLock.writeLock().lock();
    try {
      fs.usage.reserve(size - i.size);
      try {
        if (size < i.size || size < st.storedHigh) {
          fs.files.truncateData(st, size);
        }
        synchronized (st) {
          st.size = size;
          st.mtime = now;
          st.ctime = now;
          st.touchAttrs();
        }
        return store(fs.currentState(i.id), i, b.build());
      } catch (RuntimeException e) {
        fs.usage.release(size - i.size);
        throw e;
      }
    } finally {
      st.ioLock.writeLock().unlock();
    }
  }

  /**
   * Commits {@code next} as the inode's record; the caller holds the inode's lock and based
   * {@code next} on {@code cur}, whose write-back attributes are then no longer newer.
   */
  Change store(FileSystem.Current cur, Inode before, Inode next) {
    Inode stored = fs.stored(next.id);
    long v = fs.commit(new FsTxn().putInode(fs.fsid, next.toBuilder().version(stored.version).build()),
        new long[] {next.id}, 0);
    Inode saved = next.toBuilder().version(v).build();
    fs.cache.put(saved);
    fs.persisted(cur);
    return new Change(before, saved);
  }

  /** Stores a file's write-back attributes (size, times) if they are newer than metadata. */
  void persistWriteBack(FileState st) {
    fs.mutate(() -> {
      try (LockTable.Held h = fs.locks.lock(st.ino)) {
        FileSystem.Current cur = fs.currentState(st.ino);
        if (cur == null || cur.state() != st || !st.attrsDirty()) {
          return null;
        }
        return store(cur, cur.inode(), cur.inode());
      }
    });
  }

  /** Files whose attributes one background transaction stores (two operations each). */
  static final int PERSIST_BATCH = 64;

  /**
   * Stores the write-back attributes of many files (the background pass), {@link #PERSIST_BATCH}
   * to a transaction: one at a time, files touched by a read-through (atime) or an aged write
   * would each cost the log a commit, and those commits queue in front of the clients' own.
   * A failed guard falls back to storing the files of that batch one by one.
   */
  void persistWriteBack(List<FileState> files) {
    for (int from = 0; from < files.size(); from += PERSIST_BATCH) {
      List<FileState> part = files.subList(from, Math.min(files.size(), from + PERSIST_BATCH));
      if (!persistTogether(part)) {
        part.forEach(this::persistWriteBack);
      }
    }
  }

  /** One transaction for {@code part}; false if a guard failed (the records were forgotten). */
  private boolean persistTogether(List<FileState> part) {
    long[] inos = part.stream().mapToLong(st -> st.ino).toArray();
    fs.checkFenced();
    try (LockTable.Held h = fs.locks.lock(inos)) {
      FsTxn t = new FsTxn();
      List<FileSystem.Current> stored = new ArrayList<>();
      for (FileState st : part) {
        FileSystem.Current cur = fs.currentState(st.ino);
        if (cur == null || cur.state() != st || !st.attrsDirty()) {
          continue;
        }
        t.putInode(fs.fsid, cur.inode().toBuilder().version(fs.stored(st.ino).version).build());
        stored.add(cur);
      }
      if (stored.isEmpty()) {
        return true;
      }
      long v;
      try {
        v = fs.commit(t, inos, 0);
      } catch (FileSystem.Retry r) {
        return false;
      }
      for (FileSystem.Current cur : stored) {
        fs.cache.put(cur.inode().toBuilder().version(v).build());
        fs.persisted(cur);
      }
      return true;
    }
  }

  /** Drops setuid/setgid after a non-root write (a metadata change, rare). */
  void killSuidAfterWrite(Caller c, long ino) {
    fs.mutate(() -> {
      try (LockTable.Held h = fs.locks.lock(ino)) {
        FileSystem.Current cur = fs.currentState(ino);
        if (cur == null) {
          return null;
        }
        int m = Permissions.afterWrite(c, cur.inode());
        if (m == cur.inode().mode) {
          return null;
        }
        return store(cur, cur.inode(), cur.inode().toBuilder().mode(m).ctime(fs.clock.now()).build());
      }
    });
  }
}

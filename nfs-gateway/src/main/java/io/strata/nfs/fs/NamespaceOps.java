package io.strata.nfs.fs;

/**
 * Operations that add or remove directory entries: CREATE (UNCHECKED / GUARDED / EXCLUSIVE),
 * MKDIR, SYMLINK, MKNOD, LINK, REMOVE, RMDIR. Each is one guarded metadata transaction touching
 * the new or removed inode, the entry, its cookie entry and the directory.
 */
public final class NamespaceOps {
  /** CREATE's createmode3. */
  public enum CreateMode { UNCHECKED, GUARDED, EXCLUSIVE }

  /** A created (or, for UNCHECKED/EXCLUSIVE retries, found) object and its directory's change. */
  public record Created(Inode object, Change dir) {}

  private final FileSystem fs;

  NamespaceOps(FileSystem fs) {
    this.fs = fs;
  }

  public Created create(Caller c, long dirIno, String name, CreateMode how, SetAttrs attrs, long verifier) {
    FileSystem.checkNewName(name);
    return fs.mutate(() -> {
      Dentry seen = fs.entry(dirIno, name);
      if (seen == null) {
        Permissions.checkDirChange(c, FileSystem.requireDir(fs.current(dirIno)));
        return fs.batcher.add(dirIno, newEntry(name, dir -> {
          Permissions.checkDirChange(c, dir);
          int mode = attrs.mode() != null ? attrs.mode() : 0644;
          Inode.Builder b = fs.newInode(c, dir, FileType.REG, mode, fs.clock.now()).toBuilder();
          if (how == CreateMode.EXCLUSIVE) {
            b.createVerifier(verifier == 0 ? 1 : verifier);
          }
          return withOwnership(c, b.build(), how == CreateMode.EXCLUSIVE ? SetAttrs.NONE : attrs);
        }));
      }
      try (LockTable.Held h = fs.locks.lock(dirIno, seen.ino())) {
        Inode dir = FileSystem.requireDir(fs.current(dirIno));
        Permissions.checkDirChange(c, dir);
        if (!InodeCache.same(fs.entry(dirIno, name), seen)) {
          throw new FileSystem.Retry();
        }
        return existing(c, dir, seen, how, attrs, verifier);
      }
    });
  }

  private interface Builder {
    Inode build(Inode dir);
  }

  private static EntryBatcher.NewEntry newEntry(String name, Builder b) {
    return new EntryBatcher.NewEntry() {
      @Override
      public Inode prepare(Inode dir) {
        return b.build(dir);
      }

      @Override
      public String name() {
        return name;
      }
    };
  }

  /** CREATE of a name that exists: a retried EXCLUSIVE create, or UNCHECKED (opens, may truncate). */
  private Created existing(Caller c, Inode dir, Dentry e, CreateMode how, SetAttrs attrs, long verifier) {
    Inode found = fs.current(e.ino());
    if (found == null) {
      throw new FileSystem.Retry();
    }
    if (how == CreateMode.EXCLUSIVE && found.type == FileType.REG && found.createVerifier == (verifier == 0 ? 1 : verifier)) {
      return new Created(found, Change.unchanged(dir));
    }
    if (how != CreateMode.UNCHECKED || found.type != FileType.REG) {
      throw new FsException(FsStatus.EXIST, "'" + e.name() + "' exists in directory " + dir.id);
    }
    if (attrs.size() != null) {
      found = fs.attrs.setattr(c, found.id, new SetAttrs(null, null, null, attrs.size(), null, null), null).after();
    }
    return new Created(found, Change.unchanged(dir));
  }

  public Created mkdir(Caller c, long dirIno, String name, SetAttrs attrs) {
    return make(c, dirIno, name, FileType.DIR, attrs.mode() != null ? attrs.mode() : 0755, attrs, "", 0);
  }

  public Created symlink(Caller c, long dirIno, String name, String target, SetAttrs attrs) {
    if (target.length() > FileSystem.MAX_PATH_BYTES) {
      throw new FsException(FsStatus.NAMETOOLONG, "link target of " + target.length() + " bytes");
    }
    if (target.isEmpty()) {
      throw new FsException(FsStatus.INVAL, "empty link target");
    }
    return make(c, dirIno, name, FileType.LNK, 0777, attrs.withoutMode(), target, 0);
  }

  public Created mknod(Caller c, long dirIno, String name, FileType type, SetAttrs attrs, long rdev) {
    if (type == null) {
      throw new FsException(FsStatus.BADTYPE, "unknown file type");
    }
    switch (type) {
      case CHR, BLK -> {
        if (!c.isRoot()) {
          throw new FsException(FsStatus.PERM, "only root makes device nodes");
        }
      }
      case FIFO, SOCK -> { }
      default -> throw new FsException(FsStatus.BADTYPE, "MKNOD cannot make a " + type);
    }
    return make(c, dirIno, name, type, attrs.mode() != null ? attrs.mode() : 0644, attrs,
        "", type == FileType.CHR || type == FileType.BLK ? rdev : 0);
  }

  private Created make(Caller c, long dirIno, String name, FileType type, int mode, SetAttrs attrs, String target, long rdev) {
    FileSystem.checkNewName(name);
    return fs.mutate(() -> {
      Inode current = FileSystem.requireDir(fs.current(dirIno));
      Permissions.checkDirChange(c, current);
      if (fs.entry(dirIno, name) != null) {
        throw new FsException(FsStatus.EXIST, "'" + name + "' exists in directory " + dirIno);
      }
      return fs.batcher.add(dirIno, newEntry(name, dir -> {
        Permissions.checkDirChange(c, dir);
        if (type == FileType.DIR && dir.nlink >= FileSystem.MAX_LINKS) {
          throw new FsException(FsStatus.MLINK, "directory " + dirIno + " has " + dir.nlink + " links");
        }
        Inode.Builder b = fs.newInode(c, dir, type, mode, fs.clock.now()).toBuilder().target(target).rdev(rdev);
        if (type == FileType.LNK) {
          b.size(target.length());
        }
        return withOwnership(c, b.build(), attrs);
      }));
    });
  }

  /** Applies sattr3 owner, group and times to a new inode under the same rules as SETATTR. */
  private static Inode withOwnership(Caller c, Inode i, SetAttrs a) {
    Inode.Builder b = i.toBuilder();
    if (a.uid() != null && a.uid() != i.uid) {
      if (!c.isRoot()) {
        throw new FsException(FsStatus.PERM, "only root creates files for another owner");
      }
      b.uid(a.uid());
    }
    if (a.gid() != null && a.gid() != i.gid) {
      if (!c.isRoot() && !c.inGroup(a.gid())) {
        throw new FsException(FsStatus.PERM, c + " is not in group " + a.gid());
      }
      b.gid(a.gid());
    }
    if (a.atime() != null && a.atime() != SetAttrs.SERVER_TIME) {
      b.atime(a.atime());
    }
    if (a.mtime() != null && a.mtime() != SetAttrs.SERVER_TIME) {
      b.mtime(a.mtime());
    }
    return b.build();
  }

  public record Linked(Inode file, Change dir) {}

  public Linked link(Caller c, long ino, long dirIno, String name) {
    FileSystem.checkNewName(name);
    return fs.mutate(() -> {
      try (LockTable.Held h = fs.locks.lock(dirIno, ino)) {
        Inode dir = fs.requireDir(fs.current(dirIno));
        FileSystem.Current cur = fs.currentState(ino);
        if (cur == null) {
          throw new FsException(FsStatus.STALE, "inode " + ino + " gone");
        }
        Inode file = cur.inode();
        if (file.isDir()) {
          throw new FsException(FsStatus.ISDIR, "hard links to directories are not allowed");
        }
        Permissions.checkDirChange(c, dir);
        if (fs.entry(dirIno, name) != null) {
          throw new FsException(FsStatus.EXIST, "'" + name + "' exists in directory " + dirIno);
        }
        if (file.nlink >= FileSystem.MAX_LINKS) {
          throw new FsException(FsStatus.MLINK, "inode " + ino + " has " + file.nlink + " links");
        }
        long now = fs.clock.now();
        long cookie = dir.nextCookie;
        Inode newFile = file.toBuilder().nlink(file.nlink + 1).ctime(now).version(fs.stored(ino).version).build();
        Inode newDir = dir.toBuilder().mtime(now).ctime(now).nextCookie(cookie + 1).build();
        FsTxn t = new FsTxn().putInode(fs.fsid, newFile)
            .put(FsKeys.dentry(fs.fsid, dirIno, name), FsKeys.dentryValue(ino, cookie, file.type), FsTxn.ABSENT)
            .put(FsKeys.cookie(fs.fsid, dirIno, cookie), FsKeys.cookieValue(ino, file.type, name), FsTxn.ANY)
            .putInode(fs.fsid, newDir);
        long v = fs.commit(t, new long[] {dirIno, ino}, dirIno, name);
        Inode savedFile = newFile.toBuilder().version(v).build();
        Inode savedDir = newDir.toBuilder().version(v).build();
        fs.cache.put(savedFile);
        fs.cache.put(savedDir);
        fs.cache.putDentry(dirIno, name, new Dentry(dirIno, name, ino, cookie, file.type, v));
        fs.persisted(cur);
        return new Linked(savedFile, new Change(dir, savedDir));
      }
    });
  }

  public Change remove(Caller c, long dirIno, String name) {
    return unlink(c, dirIno, name, false);
  }

  public Change rmdir(Caller c, long dirIno, String name) {
    return unlink(c, dirIno, name, true);
  }

  private Change unlink(Caller c, long dirIno, String name, boolean directory) {
    if (name.equals(".")) {
      throw new FsException(FsStatus.INVAL, "cannot remove '.'");
    }
    if (name.equals("..")) {
      throw new FsException(directory ? FsStatus.NOTEMPTY : FsStatus.INVAL, "cannot remove '..'");
    }
    FileSystem.checkName(name);
    return fs.mutate(() -> {
      Dentry seen = fs.entry(dirIno, name);
      if (seen == null) {
        Inode dir = fs.requireDir(fs.current(dirIno));
        Permissions.check(c, dir, Permissions.EXEC, "lookup");
        throw new FsException(FsStatus.NOENT, "no '" + name + "' in directory " + dirIno);
      }
      try (LockTable.Held h = fs.locks.lock(dirIno, seen.ino())) {
        Inode dir = fs.requireDir(fs.current(dirIno));
        if (!InodeCache.same(fs.entry(dirIno, name), seen)) {
          throw new FileSystem.Retry();
        }
        Permissions.checkDirChange(c, dir);
        FileSystem.Current victim = fs.currentState(seen.ino());
        if (victim == null) {
          throw new FileSystem.Retry();
        }
        Inode v = victim.inode();
        if (directory && !v.isDir()) {
          throw new FsException(FsStatus.NOTDIR, "'" + name + "' is not a directory");
        }
        if (!directory && v.isDir()) {
          throw new FsException(FsStatus.ISDIR, "'" + name + "' is a directory");
        }
        Permissions.checkSticky(c, dir, v);
        if (directory && !fs.store.entries(v.id, 0, 1).items().isEmpty()) {
          throw new FsException(FsStatus.NOTEMPTY, "directory '" + name + "' is not empty");
        }
        long now = fs.clock.now();
        Inode.Builder nd = dir.toBuilder().mtime(now).ctime(now);
        if (directory) {
          nd.nlink(dir.nlink - 1);
        }
        Inode newDir = nd.build();
        FsTxn t = new FsTxn()
            .delete(FsKeys.dentry(fs.fsid, dirIno, name), seen.version())
            .delete(FsKeys.cookie(fs.fsid, dirIno, seen.cookie()), FsTxn.ANY)
            .putInode(fs.fsid, newDir);
        Dropped dropped = dropLink(t, victim, now, directory);
        long ver = fs.commit(t, new long[] {dirIno, v.id}, dirIno, name);
        Inode savedDir = newDir.toBuilder().version(ver).build();
        fs.cache.put(savedDir);
        fs.cache.putDentry(dirIno, name, null);
        finishDrop(victim, dropped, ver);
        return new Change(dir, savedDir);
      }
    });
  }

  /** What dropping one link does to the inode: rewritten with one link fewer, or deleted. */
  record Dropped(Inode next, boolean deleted, long dataBytes) {}

  /** Adds the inode side of removing one link of {@code victim} to {@code t}. */
  Dropped dropLink(FsTxn t, FileSystem.Current victim, long now, boolean wholeDirectory) {
    Inode v = victim.inode();
    int links = wholeDirectory ? 0 : v.nlink - 1;
    long storedVersion = fs.stored(v.id).version;
    if (links > 0) {
      Inode next = v.toBuilder().nlink(links).ctime(now).version(storedVersion).build();
      t.putInode(fs.fsid, next);
      return new Dropped(next, false, 0);
    }
    t.delete(FsKeys.inode(fs.fsid, v.id), storedVersion);
    long bytes = 0;
    if (v.type == FileType.REG) {
      FileState st = victim.state();
      long high = st == null ? v.size : Math.max(v.size, st.storedHigh);
      bytes = v.size;
      if (high > 0) {
        t.put(FsKeys.garbage(fs.fsid, v.id), java.nio.ByteBuffer.allocate(8).putLong(high).array(), FsTxn.ANY);
      }
    }
    return new Dropped(null, true, bytes);
  }

  /** After the commit: caches, the file's memory and its usage. */
  void finishDrop(FileSystem.Current victim, Dropped d, long version) {
    long ino = victim.inode().id;
    if (!d.deleted()) {
      fs.cache.put(d.next().toBuilder().version(version).build());
      fs.persisted(victim);
      return;
    }
    fs.cache.forgetInode(ino);
    fs.cache.forgetDirectory(ino);
    fs.data.discard(ino);
    fs.usage.release(d.dataBytes());
    fs.usage.fileRemoved();
  }
}

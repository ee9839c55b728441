package io.strata.nfs.fs;

import java.util.ArrayList;
import java.util.List;

/**
 * RENAME, atomic in one metadata transaction: the entry moves (across directories too) and a
 * target of the same kind is replaced. Renames between directories hold the file system's
 * rename lock, which is what keeps directory ancestry stable while a move is checked for
 * creating a cycle (a directory moved into its own subtree is INVAL).
 */
public final class RenameOp {
  public record Renamed(Change from, Change to) {}

  private final FileSystem fs;

  RenameOp(FileSystem fs) {
    this.fs = fs;
  }

  public Renamed rename(Caller c, long fromDir, String fromName, long toDir, String toName) {
    for (String n : new String[] {fromName, toName}) {
      if (n.equals(".") || n.equals("..")) {
        throw new FsException(FsStatus.INVAL, "cannot rename '" + n + "'");
      }
      FileSystem.checkName(n);
    }
    boolean crossDir = fromDir != toDir;
    if (crossDir) {
      fs.renameLock.lock();
    }
    try {
      return fs.mutate(() -> attempt(c, fromDir, fromName, toDir, toName));
    } finally {
      if (crossDir) {
        fs.renameLock.unlock();
      }
    }
  }

  private Renamed attempt(Caller c, long fromDir, String fromName, long toDir, String toName) {
    Dentry src = fs.entry(fromDir, fromName);
    if (src == null) {
      Permissions.check(c, FileSystem.requireDir(fs.current(fromDir)), Permissions.EXEC, "lookup");
      throw new FsException(FsStatus.NOENT, "no '" + fromName + "' in directory " + fromDir);
    }
    Dentry dst = fs.entry(toDir, toName);
    if (src.type() == FileType.DIR && fromDir != toDir) {
      checkNotIntoItself(src.ino(), toDir);
    }
    long[] ids = dst == null ? new long[] {fromDir, toDir, src.ino()} : new long[] {fromDir, toDir, src.ino(), dst.ino()};
    try (LockTable.Held h = fs.locks.lock(ids)) {
      if (!InodeCache.same(fs.entry(fromDir, fromName), src) || !InodeCache.same(fs.entry(toDir, toName), dst)) {
        throw new FileSystem.Retry();
      }
      Inode fd = FileSystem.requireDir(fs.current(fromDir));
      Inode td = FileSystem.requireDir(fs.current(toDir));
      Permissions.checkDirChange(c, fd);
      Permissions.checkDirChange(c, td);
      FileSystem.Current s = fs.currentState(src.ino());
      FileSystem.Current t = dst == null ? null : fs.currentState(dst.ino());
      if (s == null || dst != null && t == null) {
        throw new FileSystem.Retry();
      }
      Permissions.checkSticky(c, fd, s.inode());
      if (dst != null && dst.ino() == src.ino()) {
        return new Renamed(Change.unchanged(fd), Change.unchanged(td));
      }
      if (t != null) {
        checkReplaceable(c, td, s.inode(), t.inode(), toName);
      }
      if (s.inode().isDir() && fromDir != toDir && !c.isRoot()) {
        Permissions.check(c, s.inode(), Permissions.WRITE, "move directory (its '..' changes)");
      }
      return commit(fd, td, src, dst, s, t, toName);
    }
  }

  /** Walks up from the target directory: meeting the moved directory would make a cycle. */
  private void checkNotIntoItself(long movedDir, long toDir) {
    long at = toDir;
    for (int depth = 0; depth < 4096; depth++) {
      if (at == movedDir) {
        throw new FsException(FsStatus.INVAL, "cannot move directory " + movedDir + " into itself");
      }
      Inode i = fs.current(at);
      if (i == null || at == fs.rootIno || i.parent == at) {
        return;
      }
      at = i.parent;
    }
    throw new FsException(FsStatus.IO, "directory ancestry deeper than 4096 at " + toDir);
  }

  private void checkReplaceable(Caller c, Inode td, Inode s, Inode t, String toName) {
    Permissions.checkSticky(c, td, t);
    if (s.isDir() && !t.isDir()) {
      throw new FsException(FsStatus.NOTDIR, "cannot replace non-directory '" + toName + "' with a directory");
    }
    if (!s.isDir() && t.isDir()) {
      throw new FsException(FsStatus.ISDIR, "cannot replace directory '" + toName + "' with a non-directory");
    }
    if (t.isDir() && !fs.store.entries(t.id, 0, 1).items().isEmpty()) {
      throw new FsException(FsStatus.NOTEMPTY, "directory '" + toName + "' is not empty");
    }
  }

  private Renamed commit(Inode fd, Inode td, Dentry src, Dentry dst, FileSystem.Current s, FileSystem.Current t,
                         String toName) {
    long now = fs.clock.now();
    boolean sameDir = fd.id == td.id;
    boolean movesDir = s.inode().isDir() && !sameDir;
    Inode.Builder fromB = fd.toBuilder().mtime(now).ctime(now);
    Inode.Builder toB = sameDir ? fromB : td.toBuilder().mtime(now).ctime(now);
    long cookie = (sameDir ? fd : td).nextCookie;
    toB.nextCookie(cookie + 1);
    if (movesDir) {
      fromB.nlink(fd.nlink - 1);
      toB.nlink(td.nlink + 1);
    }
    if (t != null && t.inode().isDir()) {
      toB.nlink(toB.nlink() - 1);
    }
    Inode moved = s.inode().toBuilder().ctime(now).parent(s.inode().isDir() ? td.id : s.inode().parent)
        .version(fs.stored(s.inode().id).version).build();
    FsTxn txn = new FsTxn()
        .delete(FsKeys.dentry(fs.fsid, fd.id, src.name()), src.version())
        .delete(FsKeys.cookie(fs.fsid, fd.id, src.cookie()), FsTxn.ANY)
        .put(FsKeys.dentry(fs.fsid, td.id, toName), FsKeys.dentryValue(moved.id, cookie, moved.type),
            dst == null ? FsTxn.ABSENT : dst.version())
        .put(FsKeys.cookie(fs.fsid, td.id, cookie), FsKeys.cookieValue(moved.id, moved.type, toName), FsTxn.ANY)
        .putInode(fs.fsid, moved);
    if (dst != null) {
      txn.delete(FsKeys.cookie(fs.fsid, td.id, dst.cookie()), FsTxn.ANY);
    }
    Inode newFrom = fromB.build();
    Inode newTo = sameDir ? newFrom : toB.build();
    txn.putInode(fs.fsid, newFrom);
    if (!sameDir) {
      txn.putInode(fs.fsid, newTo);
    }
    NamespaceOps.Dropped dropped = t == null ? null : fs.namespace.dropLink(txn, t, now, t.inode().isDir());
    List<Long> touched = new ArrayList<>(List.of(fd.id, td.id, moved.id));
    if (t != null) {
      touched.add(t.inode().id);
    }
    long v;
    try {
      v = fs.commit(txn, touched.stream().mapToLong(Long::longValue).toArray(), fd.id, src.name());
    } catch (RuntimeException e) {
      fs.cache.forgetDentry(td.id, toName);
      throw e;
    }
    Inode savedFrom = newFrom.toBuilder().version(v).build();
    Inode savedTo = sameDir ? savedFrom : newTo.toBuilder().version(v).build();
    fs.cache.put(moved.toBuilder().version(v).build());
    fs.cache.put(savedFrom);
    fs.cache.put(savedTo);
    fs.cache.putDentry(fd.id, src.name(), null);
    fs.cache.putDentry(td.id, toName, new Dentry(td.id, toName, moved.id, cookie, moved.type, v));
    fs.persisted(s);
    if (t != null) {
      fs.namespace.finishDrop(t, dropped, v);
    }
    return new Renamed(new Change(fd, savedFrom), new Change(td, savedTo));
  }
}

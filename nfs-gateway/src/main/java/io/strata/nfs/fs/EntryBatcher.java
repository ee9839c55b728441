package io.strata.nfs.fs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Group commit of new entries per directory. Every new entry rewrites its directory's record
 * (times, next cookie, link count), so one at a time they would serialise on the directory at one
 * metadata round trip each. Instead the first caller becomes the directory's leader and commits
 * everything queued behind it as one transaction (at most {@link #MAX_BATCH}); the others wait for
 * their part. One entry alone costs exactly what it did before.
 */
final class EntryBatcher {
  /** Each entry takes five transaction operations; the metadata service allows 1000 per transaction. */
  static final int MAX_BATCH = 128;

  /** One new entry to add: decides, under the directory's lock, what to write. */
  interface NewEntry {
    /** Builds the new inode for {@code dir} as it is now, or throws (EXIST, ACCES, ...). */
    Inode prepare(Inode dir);

    String name();
  }

  private record Pending(NewEntry entry, CompletableFuture<NamespaceOps.Created> done) {}

  private static final class Queue {
    final ArrayDeque<Pending> pending = new ArrayDeque<>();
    boolean leading;
  }

  private final FileSystem fs;
  private final Map<Long, Queue> queues = new ConcurrentHashMap<>();

  EntryBatcher(FileSystem fs) {
    this.fs = fs;
  }

  NamespaceOps.Created add(long dirIno, NewEntry e) {
    Pending p = new Pending(e, new CompletableFuture<>());
    Queue q = queues.computeIfAbsent(dirIno, k -> new Queue());
    boolean lead;
    synchronized (q) {
      q.pending.add(p);
      lead = !q.leading;
      q.leading = true;
    }
    if (lead) {
      lead(dirIno, q);
    }
    try {
      return p.done().join();
    } catch (CompletionException ce) {
      throw ce.getCause() instanceof RuntimeException r ? r : ce;
    }
  }

  private void lead(long dirIno, Queue q) {
    while (true) {
      List<Pending> batch = new ArrayList<>();
      synchronized (q) {
        while (!q.pending.isEmpty() && batch.size() < MAX_BATCH) {
          batch.add(q.pending.poll());
        }
        if (batch.isEmpty()) {
          q.leading = false;
          return;
        }
      }
      try {
        commit(dirIno, batch);
      } catch (RuntimeException ex) {
        batch.forEach(p -> p.done().completeExceptionally(ex));
      }
    }
  }

  private void commit(long dirIno, List<Pending> batch) {
    try (LockTable.Held h = fs.locks.lock(dirIno)) {
      Inode dir = FileSystem.requireDir(fs.current(dirIno));
      Inode.Builder nd = dir.toBuilder();
      long cookie = dir.nextCookie;
      int links = dir.nlink;
      long now = 0;
      FsTxn t = new FsTxn();
      List<Pending> kept = new ArrayList<>();
      List<Inode> children = new ArrayList<>();
      List<Long> cookies = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (Pending p : batch) {
        try {
          String name = p.entry().name();
          if (!names.add(name) || fs.entry(dirIno, name) != null) {
            throw new FileSystem.Retry();
          }
          Inode child = p.entry().prepare(dir);
          t.putInode(fs.fsid, child)
              .put(FsKeys.dentry(fs.fsid, dirIno, name), FsKeys.dentryValue(child.id, cookie, child.type), FsTxn.ABSENT)
              .put(FsKeys.cookie(fs.fsid, dirIno, cookie), FsKeys.cookieValue(child.id, child.type, name), FsTxn.ANY);
          links += child.isDir() ? 1 : 0;
          now = Math.max(now, child.ctime);
          kept.add(p);
          children.add(child);
          cookies.add(cookie++);
        } catch (RuntimeException ex) {
          p.done().completeExceptionally(ex);
        }
      }
      if (kept.isEmpty()) {
        return;
      }
      if (links > FileSystem.MAX_LINKS) {
        throw new FsException(FsStatus.MLINK, "directory " + dirIno + " would have " + links + " links");
      }
      Inode newDir = nd.nlink(links).mtime(now).ctime(now).nextCookie(cookie).build();
      t.putInode(fs.fsid, newDir);
      long[] touched = new long[children.size() + 1];
      touched[0] = dirIno;
      for (int i = 0; i < children.size(); i++) {
        touched[i + 1] = children.get(i).id;
      }
      long v = fs.commit(t, touched, dirIno, names.toArray(new String[0]));
      Inode savedDir = newDir.toBuilder().version(v).build();
      fs.cache.put(savedDir);
      for (int i = 0; i < kept.size(); i++) {
        Inode child = children.get(i).toBuilder().version(v).build();
        String name = kept.get(i).entry().name();
        fs.cache.put(child);
        if (child.isDir()) {
          fs.cache.markComplete(child.id);
        }
        fs.cache.putDentry(dirIno, name, new Dentry(dirIno, name, child.id, cookies.get(i), child.type, v));
        fs.usage.fileAdded();
        kept.get(i).done().complete(new NamespaceOps.Created(child, new Change(dir, savedDir)));
      }
    }
  }
}

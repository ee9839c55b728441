package io.strata.nfs.fs;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** READ, WRITE and COMMIT, and the data side of truncation. */
public final class DataOps {
  /** relatime: atime moves on read only if it is older than mtime/ctime or than this. */
  static final long ATIME_REFRESH_NANOS = 24L * 3600 * 1_000_000_000L;

  /** How a WRITE wants its data kept (stable_how). */
  public enum Stability { UNSTABLE, DATA_SYNC, FILE_SYNC }

  public record ReadResult(Inode attrs, byte[] data, boolean eof) {}

  public record WriteResult(Change change, Stability committed) {}

  private final FileSystem fs;

  DataOps(FileSystem fs) {
    this.fs = fs;
  }

  private Inode regular(long ino) {
    Inode i = fs.current(ino);
    if (i == null) {
      throw new FsException(FsStatus.STALE, "inode " + ino + " gone");
    }
    if (i.isDir()) {
      throw new FsException(FsStatus.ISDIR, "inode " + ino + " is a directory");
    }
    if (i.type != FileType.REG) {
      throw new FsException(FsStatus.INVAL, "inode " + ino + " is not a regular file");
    }
    return i;
  }

  public ReadResult read(Caller c, long ino, long offset, int count) {
    Inode i = regular(ino);
    Permissions.checkData(c, i, Permissions.READ);
    FileState st = fs.data.state(fs.stored(ino));
    st.ioLock.readLock().lock();
    try {
      long size;
      synchronized (st) {
        st.adoptStored(fs.stored(ino));
        size = st.size;
      }
      if (offset >= size || count == 0) {
        return new ReadResult(fs.current(ino), new byte[0], offset >= size);
      }
      int n = (int) Math.min(count, size - offset);
      byte[] bytes = fs.data.read(st, offset, n);
      touchAtime(st);
      return new ReadResult(fs.current(ino), bytes, offset + n >= size);
    } finally {
      st.ioLock.readLock().unlock();
    }
  }

  private void touchAtime(FileState st) {
    long now = fs.clock.now();
    synchronized (st) {
      if (st.atime <= st.mtime || st.atime <= st.ctime || now - st.atime > ATIME_REFRESH_NANOS) {
        st.atime = now;
        st.touchAttrs();
      }
    }
  }

  public WriteResult write(Caller c, long ino, long offset, ByteBuf bytes, Stability how) {
    Inode i = regular(ino);
    Permissions.checkData(c, i, Permissions.WRITE);
    int n = bytes.readableBytes();
    if (offset < 0 || offset + n > FileSystem.MAX_FILE_BYTES) {
      throw new FsException(FsStatus.FBIG, "write past the largest file size");
    }
    FileState st = fs.data.state(fs.stored(ino));
    Inode before;
    st.ioLock.readLock().lock();
    try {
      long now = fs.clock.now();
      synchronized (st) {
        st.adoptStored(fs.stored(ino));
        before = st.overlay(fs.stored(ino));
        long end = offset + n;
        if (end > st.size) {
          fs.usage.reserve(end - st.size);
          st.size = end;
        }
        if (n > 0) {
          st.mtime = now;
          st.ctime = now;
        }
        st.touchAttrs();
      }
      fs.data.write(st, offset, bytes, fs.writeBack);
    } finally {
      st.ioLock.readLock().unlock();
    }
    if (n > 0 && Permissions.afterWrite(c, i) != i.mode) {
      fs.attrs.killSuidAfterWrite(c, ino);
    }
    if (how != Stability.UNSTABLE) {
      fs.writeBack.commit(st);
    }
    return new WriteResult(new Change(before, fs.current(ino)), how == Stability.UNSTABLE ? Stability.UNSTABLE : Stability.FILE_SYNC);
  }

  /** COMMIT: everything written to the file so far is durable when this returns. */
  public Change commit(long ino) {
    Inode before = regular(ino);
    FileState st = fs.data.existing(ino);
    if (st != null) {
      fs.writeBack.commit(st);
    }
    return new Change(before, fs.current(ino));
  }

  /**
   * Removes the data past {@code size}: blocks beyond are dropped from the cache and deleted on
   * the datanodes, the block holding the new end is rewritten short, and all of it is synced,
   * before the caller commits the new size. The caller holds the file's I/O lock exclusively.
   */
  void truncateData(FileState st, long size) {
    long keep = BlockStore.blocksFor(size);
    long lastIndex = size / BlockStore.BLOCK_BYTES;
    int within = (int) (size % BlockStore.BLOCK_BYTES);
    fs.data.waitForFlushes(st, lastIndex);
    if (within != 0) {
      fs.data.read(st, lastIndex * BlockStore.BLOCK_BYTES, 1);  // loads the block being cut
    }
    long high;
    List<CompletableFuture<?>> work = new ArrayList<>();
    Set<Integer> pgs = new HashSet<>();
    synchronized (st) {
      for (Block b : new ArrayList<>(st.blocks.tailMap(keep, true).values())) {
        st.blocks.remove(b.index);
        fs.data.memory.dropped(b, b.data.length, b.dirty ? b.data.length : 0);
      }
      Block cut = within == 0 ? null : st.blocks.get(lastIndex);
      if (cut != null && cut.length > within) {
        cut.length = within;
        cut.dirtyGen++;
        if (!cut.dirty) {
          cut.dirty = true;
          cut.dirtySinceNanos = System.nanoTime();
          fs.data.memory.dirtied(cut, cut.data.length);
        }
        fs.writeBack.startFlush(st, cut, true);
        work.add(cut.flushing);
      }
      high = BlockStore.blocksFor(st.storedHigh);
    }
    for (long idx = keep; idx < high; idx++) {
      work.add(fs.data.store.delete(st.ino, idx).thenAccept(pg -> {
        synchronized (pgs) {
          pgs.add(pg);
        }
      }));
    }
    try {
      CompletableFuture.allOf(work.toArray(new CompletableFuture[0])).join();
      fs.data.store.sync(pgs).join();
    } catch (RuntimeException e) {
      throw new FsException(FsStatus.of(e), "truncating inode " + st.ino + ": " + e.getMessage());
    }
    synchronized (st) {
      st.storedHigh = Math.min(st.storedHigh, size);
    }
  }
}

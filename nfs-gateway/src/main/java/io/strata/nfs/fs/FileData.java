package io.strata.nfs.fs;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * File contents of one file system through the gateway's block cache. WRITE copies into cached
 * blocks and returns (UNSTABLE: the data is in gateway memory, as a server's page cache would
 * hold it); full blocks start their write to the datanodes at once, partial ones when they age
 * or at COMMIT ({@link WriteBack}). READ serves cached blocks and fetches the rest in parallel,
 * reading ahead on sequential access. Every method that touches a file's blocks holds that
 * file's {@link FileState} monitor only for memory work, never across a network wait.
 */
final class FileData {
  static final int READ_AHEAD_BLOCKS = 8;
  static final long DIRTY_WAIT_MILLIS = 30_000;
  static final int MAX_READ_ATTEMPTS = 8;

  final BlockStore store;
  final BlockMemory memory;
  private final Map<Long, FileState> states = new ConcurrentHashMap<>();

  FileData(BlockStore store, BlockMemory memory) {
    this.store = store;
    this.memory = memory;
  }

  FileState state(Inode stored) {
    return states.computeIfAbsent(stored.id, k -> new FileState(stored));
  }

  FileState existing(long ino) {
    return states.get(ino);
  }

  Iterable<FileState> all() {
    return states.values();
  }

  void forgetIfIdle(FileState st) {
    synchronized (st) {
      if (st.idle()) {
        states.remove(st.ino, st);
      }
    }
  }

  // ------------------------------------------------------------------ read

  /** Reads {@code n} bytes at {@code off}; the caller has clipped the range to the file size. */
  byte[] read(FileState st, long off, int n) {
    byte[] out = new byte[n];
    long first = off / BlockStore.BLOCK_BYTES;
    long last = (off + n - 1) / BlockStore.BLOCK_BYTES;
    boolean readAheadDone = false;
    for (int attempt = 0; ; attempt++) {
      List<CompletableFuture<Void>> waits = new ArrayList<>();
      for (long idx = first; idx <= last; idx++) {
        CompletableFuture<Void> w = ensureLoaded(st, idx);
        if (w != null) {
          waits.add(w);
        }
      }
      if (!readAheadDone) {
        readAhead(st, off, last);
        readAheadDone = true;
      }
      waits.forEach(CompletableFuture::join);
      if (copyOut(st, off, n, out)) {
        break;
      }
      if (attempt >= MAX_READ_ATTEMPTS) {
        throw new FsException(FsStatus.JUKEBOX, "blocks of inode " + st.ino + " evicted before they could be read");
      }
    }
    evict();
    return out;
  }

  /** Copies cached bytes out; false if a needed block was evicted meanwhile (load it again). */
  private boolean copyOut(FileState st, long off, int n, byte[] out) {
    long first = off / BlockStore.BLOCK_BYTES;
    long last = (off + n - 1) / BlockStore.BLOCK_BYTES;
    synchronized (st) {
      for (long idx = first; idx <= last; idx++) {
        long blockStart = idx * BlockStore.BLOCK_BYTES;
        Block b = st.blocks.get(idx);
        if (b == null || !b.loaded) {
          if (blockStart < st.storedHigh) {
            return false;
          }
          continue;  // beyond anything ever stored: zeroes
        }
        int from = (int) Math.max(0, off - blockStart);
        int to = (int) Math.min(BlockStore.BLOCK_BYTES, off + n - blockStart);
        int copyEnd = Math.min(to, b.length);
        if (copyEnd > from) {
          System.arraycopy(b.data, from, out, (int) (blockStart + from - off), copyEnd - from);
        }
        memory.touch(st, b);
      }
      st.lastReadEnd = off + n;
      st.lastUseNanos = System.nanoTime();
      return true;
    }
  }

  private void readAhead(FileState st, long off, long lastIdx) {
    long end;
    synchronized (st) {
      if (off != 0 && st.lastReadEnd != off) {
        return;
      }
      end = Math.min(BlockStore.blocksFor(Math.min(st.size, st.storedHigh)), lastIdx + 1 + READ_AHEAD_BLOCKS);
    }
    for (long idx = lastIdx + 1; idx < end; idx++) {
      ensureLoaded(st, idx);
    }
  }

  /** Starts loading the block if it may be stored and is not cached; returns what to wait for. */
  private CompletableFuture<Void> ensureLoaded(FileState st, long idx) {
    Block b;
    synchronized (st) {
      b = st.blocks.get(idx);
      if (b != null) {
        return b.loaded ? null : b.loading;
      }
      if (idx * BlockStore.BLOCK_BYTES >= st.storedHigh) {
        return null;
      }
      b = new Block(idx);
      b.loading = new CompletableFuture<>();
      st.blocks.put(idx, b);
    }
    Block block = b;
    CompletableFuture<Optional<ByteString>> f;
    try {
      f = store.read(st.ino, idx);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((data, err) -> loaded(st, block, data, err));
    return block.loading;
  }

  private void loaded(FileState st, Block b, Optional<ByteString> data, Throwable err) {
    CompletableFuture<Void> done;
    synchronized (st) {
      done = b.loading;
      b.loading = null;
      if (err != null) {
        st.blocks.remove(b.index, b);
      } else {
        int n = data.map(ByteString::size).orElse(0);
        memory.grew(b.ensureCapacity(n, BlockStore.BLOCK_BYTES));
        data.ifPresent(d -> d.copyTo(b.data, 0));
        b.length = n;
        b.loaded = true;
        memory.touch(st, b);
      }
    }
    if (err != null) {
      done.completeExceptionally(err);
    } else {
      done.complete(null);
    }
  }

  // ------------------------------------------------------------------ write

  /** Copies the bytes into the cache; the file's size and times are the caller's business. */
  void write(FileState st, long off, ByteBuf data, WriteBack writeBack) {
    awaitDirtyRoom();
    int n = data.readableBytes();
    int done = 0;
    while (done < n) {
      long pos = off + done;
      long idx = pos / BlockStore.BLOCK_BYTES;
      int within = (int) (pos % BlockStore.BLOCK_BYTES);
      int len = Math.min(BlockStore.BLOCK_BYTES - within, n - done);
      writeBlock(st, idx, within, data, data.readerIndex() + done, len, writeBack);
      done += len;
    }
    evict();
  }

  private void writeBlock(FileState st, long idx, int within, ByteBuf src, int srcIndex, int len, WriteBack writeBack) {
    boolean whole = within == 0 && len == BlockStore.BLOCK_BYTES;
    while (true) {
      CompletableFuture<Void> wait;
      synchronized (st) {
        Block b = st.blocks.computeIfAbsent(idx, Block::new);
        wait = b.loading;
        if (wait == null && !b.loaded && !whole && idx * BlockStore.BLOCK_BYTES < st.storedHigh) {
          st.blocks.remove(idx, b);
          wait = ensureLoaded(st, idx);
        }
        if (wait == null) {
          patch(st, b, within, src, srcIndex, len);
          if (b.length == BlockStore.BLOCK_BYTES && b.flushing == null) {
            writeBack.startFlush(st, b, false);
          }
          return;
        }
      }
      try {
        wait.join();
      } catch (RuntimeException e) {
        throw new FsException(FsStatus.of(e), "reading block " + idx + " of inode " + st.ino + " to patch it");
      }
    }
  }

  private void patch(FileState st, Block b, int within, ByteBuf src, int srcIndex, int len) {
    int end = within + len;
    int grew = b.ensureCapacity(end, BlockStore.BLOCK_BYTES);
    memory.grew(grew);
    src.getBytes(srcIndex, b.data, within, len);
    if (end > b.length) {
      b.length = end;
    }
    b.loaded = true;
    if (!b.dirty) {
      b.dirty = true;
      b.dirtySinceNanos = System.nanoTime();
      memory.dirtied(b, b.data.length);
    } else if (grew > 0) {
      memory.dirtied(b, grew);
    }
    b.dirtyGen++;
    st.lastUseNanos = System.nanoTime();
  }

  private void awaitDirtyRoom() {
    if (!memory.overDirtyLimit()) {
      return;
    }
    try {
      if (!memory.awaitDirtyBelowLimit(DIRTY_WAIT_MILLIS)) {
        throw new FsException(FsStatus.JUKEBOX, "write-back window full for " + DIRTY_WAIT_MILLIS + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FsException(FsStatus.JUKEBOX, "interrupted waiting for write-back room");
    }
  }

  /** Evicts clean blocks past the cache limit, and forgets files left with nothing in memory. */
  void evict() {
    for (BlockMemory.Cached c : memory.victims()) {
      synchronized (c.file()) {
        Block b = c.file().blocks.get(c.block().index);
        if (b == c.block() && !b.busy()) {
          c.file().blocks.remove(b.index);
          memory.dropped(b, b.data.length, 0);
        }
      }
      forgetIfIdle(c.file());
    }
  }

  /** Drops every cached block of the file (removed); waits for its in-flight writes first. */
  long discard(long ino) {
    FileState st = states.remove(ino);
    if (st == null) {
      return 0;
    }
    waitForFlushes(st, 0);
    synchronized (st) {
      for (Block b : st.blocks.values()) {
        memory.dropped(b, b.data.length, b.dirty ? b.data.length : 0);
      }
      st.blocks.clear();
      st.unsyncedPgs.clear();
      return Math.max(st.size, st.storedHigh);
    }
  }

  /** Waits for in-flight writes of blocks at or above {@code fromIndex}. */
  void waitForFlushes(FileState st, long fromIndex) {
    while (true) {
      List<CompletableFuture<Void>> inFlight = new ArrayList<>();
      synchronized (st) {
        for (Block b : st.blocks.tailMap(fromIndex, true).values()) {
          if (b.flushing != null) {
            inFlight.add(b.flushing);
          }
        }
      }
      if (inFlight.isEmpty()) {
        return;
      }
      inFlight.forEach(f -> f.exceptionally(t -> null).join());
    }
  }
}

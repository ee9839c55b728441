package io.strata.nfs.fs;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's block memory, shared by every file system: bytes cached and bytes dirty, each
 * bounded. Clean blocks sit in an LRU and are evicted past {@link #maxCachedBytes}; writers wait
 * (bounded) while dirty bytes exceed {@link #maxDirtyBytes}, which is the write-back window.
 * Lock order: a {@link FileState} monitor may be held when calling in here, never the reverse.
 */
public final class BlockMemory {
  /** An evictable block and the file it belongs to. */
  record Cached(FileState file, Block block) {}

  private final long maxCachedBytes;
  private final long maxDirtyBytes;
  private long cachedBytes;
  private long dirtyBytes;
  private final LinkedHashMap<Block, FileState> clean = new LinkedHashMap<>(1024, 0.75f, true);

  public BlockMemory(long maxCachedBytes, long maxDirtyBytes) {
    this.maxCachedBytes = maxCachedBytes;
    this.maxDirtyBytes = maxDirtyBytes;
  }

  synchronized void grew(long bytes) {
    cachedBytes += bytes;
  }

  synchronized void dirtied(Block b, long bytes) {
    clean.remove(b);
    dirtyBytes += bytes;
  }

  synchronized void cleaned(FileState f, Block b, long bytes) {
    dirtyBytes -= bytes;
    clean.put(b, f);
    notifyAll();
  }

  synchronized void touch(FileState f, Block b) {
    if (!b.busy()) {
      clean.put(b, f);
    }
  }

  /** A block left the cache (evicted, truncated, file removed). */
  synchronized void dropped(Block b, long bytes, long dirtyPart) {
    clean.remove(b);
    cachedBytes -= bytes;
    dirtyBytes -= dirtyPart;
    notifyAll();
  }

  /** Clean blocks to evict, oldest first, until the cache would be under its limit. */
  synchronized List<Cached> victims() {
    List<Cached> out = new ArrayList<>();
    long over = cachedBytes - maxCachedBytes;
    Iterator<Map.Entry<Block, FileState>> it = clean.entrySet().iterator();
    while (over > 0 && it.hasNext()) {
      Map.Entry<Block, FileState> e = it.next();
      out.add(new Cached(e.getValue(), e.getKey()));
      over -= e.getKey().data.length;
      it.remove();
    }
    return out;
  }

  synchronized boolean overDirtyLimit() {
    return dirtyBytes > maxDirtyBytes;
  }

  /** True past half the dirty limit: the flusher then writes back early. */
  synchronized boolean dirtyPressure() {
    return dirtyBytes > maxDirtyBytes / 2;
  }

  /** Waits until dirty bytes are under the limit; false if {@code timeoutMillis} passed first. */
  synchronized boolean awaitDirtyBelowLimit(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (dirtyBytes > maxDirtyBytes) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  public synchronized long cachedBytes() {
    return cachedBytes;
  }

  public synchronized long dirtyBytes() {
    return dirtyBytes;
  }

  public long maxDirtyBytes() {
    return maxDirtyBytes;
  }
}

package io.strata.block.data;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.Fence;
import io.strata.proto.ChunkId;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * One page of an allocation map (one bit per block) with group commit: while a write of the page
 * is in flight, further changes wait for one next write that carries them all, so a sequential
 * fill of 32768 blocks costs a handful of page writes, not 32768.
 */
final class MapPage {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final ChunkClient chunks;
  private final ChunkId id;
  private final IntConsumer written;
  private final Fence fence;
  private final boolean merged;
  private final byte[] bits = new byte[DataLayout.MAP_PAGE_BYTES];
  private boolean dirty;
  private CompletableFuture<Void> inFlight;
  private CompletableFuture<Void> next;

  MapPage(ChunkClient chunks, ChunkId id, ByteString stored, IntConsumer written, Fence fence, boolean merged) {
    this.chunks = chunks;
    this.merged = merged;
    this.id = id;
    this.written = written;
    this.fence = fence;
    stored.copyTo(bits, 0, 0, Math.min(stored.size(), bits.length));
  }

  /** Sets the bit; completes once a page write that includes it has completed. */
  synchronized CompletableFuture<Void> set(int bit) {
    byte mask = (byte) (1 << (bit & 7));
    if ((bits[bit >>> 3] & mask) == 0) {
      bits[bit >>> 3] |= mask;
      dirty = true;
    }
    return durable();
  }

  /** Clears the bit and schedules a write; callers need not wait (an extra set bit only over-counts). */
  synchronized CompletableFuture<Void> clear(int bit) {
    byte mask = (byte) (1 << (bit & 7));
    if ((bits[bit >>> 3] & mask) != 0) {
      bits[bit >>> 3] &= (byte) ~mask;
      dirty = true;
    }
    return durable();
  }

  /** Sets the bit in memory only; {@link #sync} makes it durable. */
  synchronized void setLater(int bit) {
    byte mask = (byte) (1 << (bit & 7));
    if ((bits[bit >>> 3] & mask) == 0) {
      bits[bit >>> 3] |= mask;
      dirty = true;
    }
  }

  synchronized void clearLater(int bit) {
    byte mask = (byte) (1 << (bit & 7));
    if ((bits[bit >>> 3] & mask) != 0) {
      bits[bit >>> 3] &= (byte) ~mask;
      dirty = true;
    }
  }

  /** Completes once every change made so far is stored (at once if there is none). */
  synchronized CompletableFuture<Void> sync() {
    return durable();
  }

  /** ORs in a stored copy: bits another writer set since we loaded the page. */
  synchronized void merge(ByteString stored) {
    for (int i = 0; i < Math.min(stored.size(), bits.length); i++) {
      bits[i] |= stored.byteAt(i);
    }
  }

  synchronized boolean get(int bit) {
    return (bits[bit >>> 3] & (1 << (bit & 7))) != 0;
  }

  synchronized long count() {
    long n = 0;
    for (byte b : bits) {
      n += Integer.bitCount(b & 0xff);
    }
    return n;
  }

  /** A future covering the current state: done if clean, else the in-flight or next write. */
  private CompletableFuture<Void> durable() {
    if (!dirty) {
      return inFlight == null ? DONE : inFlight;
    }
    if (inFlight == null) {
      return startWrite();
    }
    if (next == null) {
      next = new CompletableFuture<>();
    }
    return next;
  }

  private CompletableFuture<Void> startWrite() {
    dirty = false;
    CompletableFuture<Void> mine = new CompletableFuture<>();
    inFlight = mine;
    ByteString page = ByteString.copyFrom(bits);
    (merged ? chunks.writeMerged(id, page, fence) : chunks.write(id, page, false, fence))
        .whenComplete((v, e) -> finished(mine, e));
    return mine;
  }

  private void finished(CompletableFuture<Void> mine, Throwable error) {
    CompletableFuture<Void> waiting;
    synchronized (this) {
      inFlight = null;
      if (error != null) {
        dirty = true;  // the bits are still only in memory; the next write carries them
      }
      waiting = next;
      next = null;
      if (waiting != null) {
        startWrite().whenComplete((v, e) -> complete(waiting, e));
      }
    }
    if (error == null) {
      written.accept(id.getPg());
    }
    complete(mine, error);
  }

  private static void complete(CompletableFuture<Void> f, Throwable e) {
    if (e != null) {
      f.completeExceptionally(e);
    } else {
      f.complete(null);
    }
  }
}

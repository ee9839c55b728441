package io.strata.client;

import com.google.protobuf.ByteString;
import io.strata.proto.ChunkId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Byte ranges of an object stored as fixed-size chunks, e.g. 64 KiB blocks of a volume. A write
 * that covers a whole chunk is one put; a partial one reads, patches and rewrites that chunk
 * under a striped lock so two partial writes to one chunk cannot lose each other. Missing chunks
 * read as zeroes (thin provisioning).
 */
public final class RangeIo {
  static final int LOCK_STRIPES = 256;

  private final ChunkClient chunks;
  private final int poolId;
  private final int chunkSize;
  private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

  RangeIo(ChunkClient chunks, int poolId, int chunkSizeBytes) {
    if (chunkSizeBytes < 512 || chunkSizeBytes > ChunkClient.MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("chunk size must be 512.." + ChunkClient.MAX_CHUNK_BYTES);
    }
    this.chunks = chunks;
    this.poolId = poolId;
    this.chunkSize = chunkSizeBytes;
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** Writes {@code data} at {@code offset}; returns the groups touched, for a later {@link #flush}. */
  public Set<Integer> write(ByteString objectId, long offset, byte[] data, boolean sync) {
    Set<Integer> pgs = new HashSet<>();
    List<CompletableFuture<Long>> pending = new ArrayList<>();
    long pos = offset;
    int done = 0;
    while (done < data.length) {
      long index = pos / chunkSize;
      int within = (int) (pos % chunkSize);
      int n = Math.min(chunkSize - within, data.length - done);
      ChunkId id = chunks.chunkId(poolId, objectId, index);
      pgs.add(id.getPg());
      if (n == chunkSize) {
        pending.add(chunks.write(id, ByteString.copyFrom(data, done, n), sync));
      } else {
        patch(id, within, data, done, n, sync);
      }
      pos += n;
      done += n;
    }
    pending.forEach(CompletableFuture::join);
    return pgs;
  }

  private void patch(ChunkId id, int within, byte[] data, int from, int n, boolean sync) {
    ReentrantLock lock = locks[Math.floorMod(id.hashCode(), LOCK_STRIPES)];
    lock.lock();
    try {
      Optional<ByteString> old = chunks.read(id, 0, 0).join();
      byte[] chunk = new byte[chunkSize];
      old.ifPresent(b -> b.copyTo(chunk, 0));
      System.arraycopy(data, from, chunk, within, n);
      chunks.write(id, ByteString.copyFrom(chunk), sync).join();
    } finally {
      lock.unlock();
    }
  }

  /** Reads {@code length} bytes at {@code offset}; never-written ranges read as zeroes. */
  public byte[] read(ByteString objectId, long offset, int length) {
    byte[] out = new byte[length];
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    long pos = offset;
    int done = 0;
    while (done < length) {
      long index = pos / chunkSize;
      int within = (int) (pos % chunkSize);
      int n = Math.min(chunkSize - within, length - done);
      int at = done;
      ChunkId id = chunks.chunkId(poolId, objectId, index);
      pending.add(chunks.read(id, within, n).thenAccept(b -> b.ifPresent(bytes ->
          bytes.copyTo(out, at))));
      pos += n;
      done += n;
    }
    pending.forEach(CompletableFuture::join);
    return out;
  }

  public void flush(Set<Integer> pgs) {
    chunks.flush(poolId, pgs).join();
  }
}

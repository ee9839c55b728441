package io.strata.s3.store;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.strata.client.ChunkClient;
import io.strata.client.Fence;
import io.strata.transport.LargeBuffers;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Cuts a stream of bytes into {@link #CHUNK_BYTES} chunks and writes each with {@code sync=true}
 * as soon as it is full, so an object is never held whole in memory. At most
 * {@link #MAX_IN_FLIGHT_CHUNKS} chunk writes are outstanding; {@link #ready()} tells the
 * connection when to read more (back-pressure). Memory per upload is bounded by
 * {@code (MAX_IN_FLIGHT_CHUNKS + 1) * CHUNK_BYTES}. Chunk writes wait for {@code gate} (the
 * intent record) so no chunk exists that the garbage collector could not find. A chunk fills a
 * recycled direct buffer that goes to the data transport as it is: no zeroed heap array per chunk
 * and no second copy into a direct buffer at the socket.
 */
public final class ChunkedDataWriter {
  public static final int CHUNK_BYTES = 4 << 20;
  /** Chunk writes in flight per upload: the first always, more while the shared budget allows. */
  public static final int MAX_IN_FLIGHT_CHUNKS = 4;

  private final ChunkClient chunks;
  private final int poolId;
  private final ByteString objectId;
  private final CompletableFuture<?> gate;
  private final long maxBytes;
  private final BufferBudget budget;
  private boolean reserved;
  private final List<CompletableFuture<Long>> writes = new ArrayList<>();
  private ByteBuf buffer;
  private long nextIndex;
  private long total;
  private int inFlight;
  private CompletableFuture<Void> ready = CompletableFuture.completedFuture(null);
  private Throwable failure;

  public ChunkedDataWriter(ChunkClient chunks, int poolId, String dataId, CompletableFuture<?> gate, long maxBytes) {
    this(chunks, poolId, dataId, gate, maxBytes, new BufferBudget(0));
  }

  public ChunkedDataWriter(ChunkClient chunks, int poolId, String dataId, CompletableFuture<?> gate, long maxBytes,
                           BufferBudget budget) {
    this.budget = budget;
    this.chunks = chunks;
    this.poolId = poolId;
    this.objectId = ByteString.copyFromUtf8(dataId);
    this.gate = gate;
    this.maxBytes = maxBytes;
  }

  /** Copies the readable bytes of {@code data} (without consuming or releasing it). */
  public void write(ByteBuf data) {
    int off = data.readerIndex();
    int len = data.readableBytes();
    total += len;
    if (total > maxBytes) {
      throw new S3Exception(S3ErrorCode.ENTITY_TOO_LARGE);
    }
    while (len > 0) {
      if (buffer == null) {
        // Sized for what the declared length still allows, so a small body takes a small buffer.
        int expect = (int) Math.min(CHUNK_BYTES, Math.max(1, maxBytes - (total - len)));
        buffer = LargeBuffers.directBuffer(expect);
      }
      int n = Math.min(len, buffer.writableBytes());
      buffer.writeBytes(data, off, n);
      off += n;
      len -= n;
      if (!buffer.isWritable()) {
        submit();
      }
    }
  }

  private void submit() {
    ByteBuf bytes = buffer;
    long index = nextIndex++;
    buffer = null;
    boolean fromBudget;
    synchronized (this) {
      fromBudget = inFlight > 0 && reserved;
      if (fromBudget) {
        reserved = false;
      }
      inFlight++;
    }
    // The chunk client takes over the buffer's reference; if the gate fails it is released here.
    CompletableFuture<Long> w = gate.handle((x, t) -> t).thenCompose(t -> {
      if (t != null) {
        bytes.release();
        return CompletableFuture.failedFuture(t);
      }
      return chunks.write(chunks.chunkId(poolId, objectId, index), bytes, true, Fence.NONE);
    });
    writes.add(w);
    w.whenComplete((v, t) -> completed(t, fromBudget));
  }

  private void completed(Throwable t, boolean fromBudget) {
    if (fromBudget) {
      budget.release(CHUNK_BYTES);
    }
    CompletableFuture<Void> wake = null;
    synchronized (this) {
      inFlight--;
      if (t != null && failure == null) {
        failure = t;
      }
      if (!ready.isDone()) {
        wake = ready;
      }
    }
    if (wake != null) {
      wake.complete(null);
    }
  }

  /** Completes when the caller may write more; already complete unless too many writes are in flight. */
  public synchronized CompletableFuture<Void> ready() {
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    boolean more = inFlight == 0 || (inFlight < MAX_IN_FLIGHT_CHUNKS && (reserved || (reserved = budget.tryAcquire(CHUNK_BYTES))));
    if (!more && ready.isDone()) {
      ready = new CompletableFuture<>();
    }
    return more ? CompletableFuture.completedFuture(null) : ready;
  }

  private synchronized void releaseReservation() {
    if (reserved) {
      reserved = false;
      budget.release(CHUNK_BYTES);
    }
  }

  /** Writes the last partial chunk; completes with the total length once every chunk is durable. */
  public CompletableFuture<Long> finish() {
    if (buffer != null && buffer.isReadable()) {
      submit();
    }
    dropBuffer();
    releaseReservation();
    long length = total;
    return CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).thenApply(x -> length);
  }

  /** Drops the partial buffer; completes (never exceptionally) once no write is in flight. */
  public CompletableFuture<Void> drain() {
    dropBuffer();
    releaseReservation();
    return CompletableFuture.allOf(writes.stream().map(w -> w.handle((v, t) -> null))
        .toArray(CompletableFuture[]::new));
  }

  private void dropBuffer() {
    if (buffer != null) {
      buffer.release();
      buffer = null;
    }
  }

  public long length() {
    return total;
  }
}

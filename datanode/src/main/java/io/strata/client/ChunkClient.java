package io.strata.client;

import io.strata.common.Threads;
import com.google.protobuf.ByteString;
import io.strata.common.Checksums;
import io.strata.common.Hashing;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import io.strata.proto.FlushReply;
import io.strata.proto.FlushRequest;
import io.strata.proto.Member;
import io.strata.proto.PoolInfo;
import io.strata.proto.ReadChunkReply;
import io.strata.proto.ReadChunkRequest;
import io.strata.proto.WriteChunkReply;
import io.strata.proto.WriteChunkRequest;
import io.strata.transport.Frame;
import io.strata.transport.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Replicated chunk I/O with the replication hidden: each call goes to the primary of the chunk's
 * placement group, and on a stale map, a moved primary or a missing replica it refreshes the map
 * and retries with bounded exponential backoff until {@link #OPERATION_DEADLINE_MILLIS}.
 * Checksums are computed before sending and verified on every read.
 */
public final class ChunkClient implements AutoCloseable {
  public static final long OPERATION_DEADLINE_MILLIS = 60_000;
  public static final long RPC_DEADLINE_MILLIS = 15_000;
  static final long BACKOFF_MIN_MILLIS = 20;
  static final long BACKOFF_MAX_MILLIS = 1_000;
  public static final int MAX_CHUNK_BYTES = 8 << 20;

  /** Threads that complete callers' futures: replies arrive on event loops, which must never run callers' code. */
  static final int CALLBACK_THREADS = 2;

  private final ClusterMapCache maps;
  private final PeerChannels channels;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("chunk-client-retry"));
  private final java.util.concurrent.ExecutorService callbacks = Executors.newFixedThreadPool(CALLBACK_THREADS,
      Threads.daemon("chunk-client-callback"));

  public ChunkClient(ClusterMapCache maps, PeerChannels channels) {
    this.maps = maps;
    this.channels = channels;
  }

  public ClusterMapCache maps() {
    return maps;
  }

  /** The placement group of a chunk: chunks of one object spread over all groups. */
  public static int pgFor(PoolInfo pool, ByteString objectId, long index) {
    long h = Hashing.combine(Hashing.hash64(objectId.toByteArray()), index);
    return (int) Math.floorMod(h, (long) pool.getPgCount());
  }

  public ChunkId chunkId(int poolId, ByteString objectId, long index) {
    PoolInfo pool = pool(poolId);
    return ChunkId.newBuilder().setPool(poolId).setPg(pgFor(pool, objectId, index))
        .setObjectId(objectId).setIndex(index).build();
  }

  private PoolInfo pool(int poolId) {
    Optional<PoolInfo> p = ClusterMapCache.pool(maps.current(), poolId);
    if (p.isEmpty()) {
      p = ClusterMapCache.pool(maps.refresh(), poolId);
    }
    return p.orElseThrow(() -> new ChunkException(ChunkStatus.CHUNK_INVALID, "no pool " + poolId));
  }

  public int poolId(String name) {
    Optional<PoolInfo> p = ClusterMapCache.pool(maps.current(), name);
    if (p.isEmpty()) {
      p = ClusterMapCache.pool(maps.refresh(), name);
    }
    return p.orElseThrow(() -> new ChunkException(ChunkStatus.CHUNK_INVALID, "no pool " + name)).getPoolId();
  }

  /** Writes a whole chunk; completes with its version once every acting replica has it. */
  public CompletableFuture<Long> write(ChunkId id, ByteString data, boolean sync) {
    return write(id, data, sync, Fence.NONE);
  }

  /**
   * Writes a whole chunk under {@code fence}: fails with {@code CHUNK_FENCED} (not retried) once
   * the fence of its key was raised above its epoch, and is then not applied anywhere.
   */
  public CompletableFuture<Long> write(ChunkId id, ByteString data, boolean sync, Fence fence) {
    if (data.size() > MAX_CHUNK_BYTES) {
      return CompletableFuture.failedFuture(new ChunkException(ChunkStatus.CHUNK_INVALID,
          "chunk of " + data.size() + " bytes exceeds " + MAX_CHUNK_BYTES));
    }
    int crc = Checksums.crc32c(data.asReadOnlyByteBuffer());
    return retrying(() -> mutate(id, data, crc, sync, fence, false), "write " + describe(id));
  }

  public CompletableFuture<Long> delete(ChunkId id) {
    return delete(id, Fence.NONE);
  }

  /** Deletes a chunk under {@code fence} (see {@link #write(ChunkId, ByteString, boolean, Fence)}). */
  public CompletableFuture<Long> delete(ChunkId id, Fence fence) {
    return retrying(() -> mutate(id, ByteString.EMPTY, 0, false, fence, true), "delete " + describe(id));
  }

  /** One try of a write or delete, to the primary in our current map. */
  private CompletableFuture<Attempt<Long>> mutate(ChunkId id, ByteString data, int crc, boolean sync, Fence fence,
                                                  boolean delete) {
    MapIndex idx = maps.index();
    String primary = primaryDataAddress(idx, id);
    if (primary == null) {
      return CompletableFuture.completedFuture(Attempt.retry(ChunkStatus.CHUNK_UNAVAILABLE, "no primary for " + id.getPg(),
          0));
    }
    WriteChunkRequest.Builder req = WriteChunkRequest.newBuilder().setEpoch(idx.map().getEpoch()).setId(id)
        .setCrc32C(crc).setSync(sync).setDelete(delete);
    if (!fence.isNone()) {
      req.setFence(fence.toProto());
    }
    return channels.data(primary).call(Kind.WRITE, req.build(), payloadOf(data), RPC_DEADLINE_MILLIS).thenApply(f -> {
      WriteChunkReply r = header(f, WriteChunkReply.class);
      return Attempt.from(r.getStatus(), r.getMessage(), r.getEpoch(), r.getVersion());
    });
  }

  /** The bytes of a ByteString as a buffer, without copying them. */
  static ByteBuf payloadOf(ByteString data) {
    if (data.isEmpty()) {
      return Unpooled.EMPTY_BUFFER;
    }
    List<java.nio.ByteBuffer> parts = data.asReadOnlyByteBufferList();
    return parts.size() == 1 ? Unpooled.wrappedBuffer(parts.get(0))
        : Unpooled.wrappedBuffer(parts.toArray(new java.nio.ByteBuffer[0]));
  }

  /** The header of a reply frame, releasing the frame. */
  static <T extends com.google.protobuf.MessageLite> T header(Frame f, Class<T> type) {
    try {
      return f.header(type);
    } finally {
      f.release();
    }
  }

  /** Reads {@code length} bytes at {@code offset} (0 = to the end); empty if the chunk does not exist. */
  public CompletableFuture<Optional<ByteString>> read(ChunkId id, int offset, int length) {
    return retrying(() -> {
      MapIndex idx = maps.index();
      String primary = primaryDataAddress(idx, id);
      if (primary == null) {
        return CompletableFuture.completedFuture(Attempt.<Optional<ByteString>>retry(ChunkStatus.CHUNK_UNAVAILABLE,
            "no primary", 0));
      }
      ReadChunkRequest req = ReadChunkRequest.newBuilder().setEpoch(idx.map().getEpoch()).setId(id)
          .setOffset(offset).setLength(length).build();
      return channels.data(primary).call(Kind.READ, req, Unpooled.EMPTY_BUFFER, RPC_DEADLINE_MILLIS)
          .thenApply(this::readAttempt);
    }, "read " + describe(id));
  }

  /** Verifies a read reply's bytes against its CRC and copies them out of the transport's buffer. */
  private Attempt<Optional<ByteString>> readAttempt(Frame f) {
    try {
      ReadChunkReply r = f.header(ReadChunkReply.class);
      if (r.getStatus() == ChunkStatus.CHUNK_NOT_FOUND) {
        return Attempt.done(Optional.empty());
      }
      if (r.getStatus() != ChunkStatus.CHUNK_OK) {
        return Attempt.from(r.getStatus(), r.getMessage(), r.getEpoch(), null);
      }
      if (Checksums.crc32c(f.payload().nioBuffer()) != r.getCrc32C()) {
        return Attempt.retry(ChunkStatus.CHUNK_CHECKSUM_MISMATCH, "reply failed its checksum", r.getEpoch());
      }
      return Attempt.done(Optional.of(ByteString.copyFrom(f.payload().nioBuffer())));
    } finally {
      f.release();
    }
  }

  /** Makes every acknowledged write to these groups durable on every acting member. */
  public CompletableFuture<Void> flush(int poolId, Collection<Integer> pgs) {
    return flush(poolId, pgs, Fence.NONE);
  }

  /**
   * Like {@link #flush(int, Collection)}, and fails with {@code CHUNK_FENCED} if the fence was
   * raised above {@code fence}'s epoch: a fenced holder learns that its writes are not all in.
   */
  public CompletableFuture<Void> flush(int poolId, Collection<Integer> pgs, Fence fence) {
    MapIndex m = maps.index();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    java.util.Map<String, List<Integer>> byPrimary = new java.util.HashMap<>();
    for (int pg : pgs) {
      String primary = primaryDataAddress(m, ChunkId.newBuilder().setPool(poolId).setPg(pg).build());
      byPrimary.computeIfAbsent(primary == null ? "" : primary, k -> new ArrayList<>()).add(pg);
    }
    for (List<Integer> group : byPrimary.values()) {
      all.add(this.<Boolean>retrying(() -> {
        MapIndex idx = maps.index();
        String primary = primaryDataAddress(idx, ChunkId.newBuilder().setPool(poolId).setPg(group.get(0)).build());
        if (primary == null) {
          return CompletableFuture.completedFuture(Attempt.<Boolean>retry(ChunkStatus.CHUNK_UNAVAILABLE, "no primary", 0));
        }
        FlushRequest.Builder fb = FlushRequest.newBuilder().setEpoch(idx.map().getEpoch()).setPool(poolId)
            .addAllPgs(group);
        if (!fence.isNone()) {
          fb.setFence(fence.toProto());
        }
        return channels.data(primary).call(Kind.FLUSH, fb.build(), Unpooled.EMPTY_BUFFER, RPC_DEADLINE_MILLIS)
            .thenApply(f -> {
              FlushReply r = header(f, FlushReply.class);
              return Attempt.from(r.getStatus(), r.getMessage(), r.getEpoch(), true);
            });
      }, "flush pool " + poolId).thenApply(x -> null));
    }
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]));
  }

  /** The data address of the group's primary, or null if it has none now. */
  static String primaryDataAddress(MapIndex m, ChunkId id) {
    List<Member> acting = m.acting(id.getPool(), id.getPg());
    if (acting.isEmpty()) {
      return null;
    }
    String a = m.dataAddress(acting.get(0).getNodeId());
    return a.isEmpty() ? null : a;
  }

  private static String describe(ChunkId id) {
    return id.getPool() + "/" + id.getPg() + "/" + id.getObjectId().toStringUtf8() + "#" + id.getIndex();
  }

  /** The outcome of one try: a value, a retryable status, or a final failure. */
  record Attempt<T>(T value, ChunkStatus status, String message, long epoch, boolean retry) {
    static <T> Attempt<T> done(T value) {
      return new Attempt<>(value, ChunkStatus.CHUNK_OK, "", 0, false);
    }

    static <T> Attempt<T> retry(ChunkStatus s, String message, long epoch) {
      return new Attempt<>(null, s, message, epoch, true);
    }

    static <T> Attempt<T> from(ChunkStatus s, String message, long epoch, T value) {
      if (s == ChunkStatus.CHUNK_OK) {
        return done(value);
      }
      return new Attempt<>(null, s, message, epoch, ChunkException.retryable(s));
    }
  }

  private <T> CompletableFuture<T> retrying(Supplier<CompletableFuture<Attempt<T>>> attempt, String what) {
    CompletableFuture<T> result = new CompletableFuture<>();
    long deadline = System.currentTimeMillis() + OPERATION_DEADLINE_MILLIS;
    tryOnce(attempt, what, result, deadline, BACKOFF_MIN_MILLIS);
    return result;
  }

  private <T> void tryOnce(Supplier<CompletableFuture<Attempt<T>>> attempt, String what,
                           CompletableFuture<T> result, long deadline, long backoff) {
    CompletableFuture<Attempt<T>> f;
    try {
      f = attempt.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.exceptionally(transportError()).thenAccept(a -> {
      if (!a.retry() && a.status() == ChunkStatus.CHUNK_OK) {
        finish(result, a.value(), null);
        return;
      }
      if (!a.retry()) {
        finish(result, null, new ChunkException(a.status(), what + ": " + a.message()));
        return;
      }
      if (System.currentTimeMillis() + backoff > deadline) {
        finish(result, null, new ChunkException(a.status(), what + " gave up after "
            + OPERATION_DEADLINE_MILLIS + " ms: " + a.message()));
        return;
      }
      timer.schedule(() -> {
        try {
          if (a.epoch() > maps.current().getEpoch()) {
            maps.refreshIfOlder(a.epoch());
          } else {
            maps.refresh();
          }
        } catch (RuntimeException e) {
          // metadata briefly unreachable: retry with the map we have
        }
        tryOnce(attempt, what, result, deadline, Math.min(backoff * 2, BACKOFF_MAX_MILLIS));
      }, backoff, TimeUnit.MILLISECONDS);
    });
  }

  /** Completes a caller's future on a callback thread, never on the event loop that got the reply. */
  private <T> void finish(CompletableFuture<T> result, T value, Throwable error) {
    Runnable r = () -> {
      if (error == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(error);
      }
    };
    try {
      callbacks.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      r.run();  // closing: nobody will block on us any more
    }
  }

  private static <T> Function<Throwable, Attempt<T>> transportError() {
    return t -> Attempt.retry(ChunkStatus.CHUNK_UNAVAILABLE, "transport: " + t, 0);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    callbacks.shutdown();
  }
}

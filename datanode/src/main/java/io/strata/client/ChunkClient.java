package io.strata.client;

import io.strata.common.Threads;
import com.google.protobuf.ByteString;
import io.strata.common.Checksums;
import io.strata.common.Hashing;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.FlushReply;
import io.strata.proto.FlushRequest;
import io.strata.proto.Member;
import io.strata.proto.PlacementGroup;
import io.strata.proto.PoolInfo;
import io.strata.proto.ReadChunkReply;
import io.strata.proto.ReadChunkRequest;
import io.strata.proto.WriteChunkReply;
import io.strata.proto.WriteChunkRequest;
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

  private final ClusterMapCache maps;
  private final PeerChannels channels;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("chunk-client-retry"));

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
    return retrying(() -> {
      ClusterMap m = maps.current();
      String primary = primaryAddress(m, id);
      if (primary == null) {
        return CompletableFuture.completedFuture(Attempt.<Long>retry(ChunkStatus.CHUNK_UNAVAILABLE, "no primary for " + id.getPg(), 0));
      }
      WriteChunkRequest.Builder req = WriteChunkRequest.newBuilder().setEpoch(m.getEpoch()).setId(id)
          .setData(data).setCrc32C(crc).setSync(sync);
      if (!fence.isNone()) {
        req.setFence(fence.toProto());
      }
      return channels.writes(primary).submit(req.build())
          .thenApply(r -> Attempt.from(r.getStatus(), r.getMessage(), r.getEpoch(), r.getVersion()));
    }, "write " + describe(id));
  }

  public CompletableFuture<Long> delete(ChunkId id) {
    return delete(id, Fence.NONE);
  }

  /** Deletes a chunk under {@code fence} (see {@link #write(ChunkId, ByteString, boolean, Fence)}). */
  public CompletableFuture<Long> delete(ChunkId id, Fence fence) {
    return retrying(() -> {
      ClusterMap m = maps.current();
      String primary = primaryAddress(m, id);
      if (primary == null) {
        return CompletableFuture.completedFuture(Attempt.<Long>retry(ChunkStatus.CHUNK_UNAVAILABLE, "no primary", 0));
      }
      WriteChunkRequest.Builder b = WriteChunkRequest.newBuilder().setEpoch(m.getEpoch()).setId(id).setDelete(true);
      if (!fence.isNone()) {
        b.setFence(fence.toProto());
      }
      WriteChunkRequest req = b.build();
      return Futures.of(channels.stub(primary, RPC_DEADLINE_MILLIS).write(req))
          .thenApply(r -> Attempt.from(r.getStatus(), r.getMessage(), r.getEpoch(), r.getVersion()));
    }, "delete " + describe(id));
  }

  /** Reads {@code length} bytes at {@code offset} (0 = to the end); empty if the chunk does not exist. */
  public CompletableFuture<Optional<ByteString>> read(ChunkId id, int offset, int length) {
    return retrying(() -> {
      ClusterMap m = maps.current();
      String primary = primaryAddress(m, id);
      if (primary == null) {
        return CompletableFuture.completedFuture(Attempt.<Optional<ByteString>>retry(ChunkStatus.CHUNK_UNAVAILABLE, "no primary", 0));
      }
      ReadChunkRequest req = ReadChunkRequest.newBuilder().setEpoch(m.getEpoch()).setId(id)
          .setOffset(offset).setLength(length).build();
      return Futures.of(channels.stub(primary, RPC_DEADLINE_MILLIS).read(req)).thenApply(this::readAttempt);
    }, "read " + describe(id));
  }

  private Attempt<Optional<ByteString>> readAttempt(ReadChunkReply r) {
    if (r.getStatus() == ChunkStatus.CHUNK_NOT_FOUND) {
      return Attempt.done(Optional.empty());
    }
    if (r.getStatus() == ChunkStatus.CHUNK_OK && Checksums.crc32c(r.getData().asReadOnlyByteBuffer()) != r.getCrc32C()) {
      return Attempt.retry(ChunkStatus.CHUNK_CHECKSUM_MISMATCH, "reply failed its checksum", r.getEpoch());
    }
    return Attempt.from(r.getStatus(), r.getMessage(), r.getEpoch(), Optional.of(r.getData()));
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
    ClusterMap m = maps.current();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    java.util.Map<String, List<Integer>> byPrimary = new java.util.HashMap<>();
    for (int pg : pgs) {
      String primary = primaryAddress(m, ChunkId.newBuilder().setPool(poolId).setPg(pg).build());
      byPrimary.computeIfAbsent(primary == null ? "" : primary, k -> new ArrayList<>()).add(pg);
    }
    for (List<Integer> group : byPrimary.values()) {
      all.add(this.<Boolean>retrying(() -> {
        ClusterMap cm = maps.current();
        String primary = primaryAddress(cm, ChunkId.newBuilder().setPool(poolId).setPg(group.get(0)).build());
        if (primary == null) {
          return CompletableFuture.completedFuture(Attempt.<Boolean>retry(ChunkStatus.CHUNK_UNAVAILABLE, "no primary", 0));
        }
        FlushRequest.Builder fb = FlushRequest.newBuilder().setEpoch(cm.getEpoch()).setPool(poolId).addAllPgs(group);
        if (!fence.isNone()) {
          fb.setFence(fence.toProto());
        }
        FlushRequest req = fb.build();
        return Futures.of(channels.stub(primary, RPC_DEADLINE_MILLIS).flush(req))
            .thenApply((FlushReply r) -> Attempt.from(r.getStatus(), r.getMessage(), r.getEpoch(), true));
      }, "flush pool " + poolId).thenApply(x -> null));
    }
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]));
  }

  static String primaryAddress(ClusterMap m, ChunkId id) {
    Optional<PlacementGroup> g = ClusterMapCache.group(m, id.getPool(), id.getPg());
    if (g.isEmpty()) {
      return null;
    }
    List<Member> acting = ClusterMapCache.acting(m, g.get());
    if (acting.isEmpty()) {
      return null;
    }
    String a = ClusterMapCache.address(m, acting.get(0).getNodeId());
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
        result.complete(a.value());
        return;
      }
      if (!a.retry()) {
        result.completeExceptionally(new ChunkException(a.status(), what + ": " + a.message()));
        return;
      }
      if (System.currentTimeMillis() + backoff > deadline) {
        result.completeExceptionally(new ChunkException(a.status(), what + " gave up after "
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

  private static <T> Function<Throwable, Attempt<T>> transportError() {
    return t -> Attempt.retry(ChunkStatus.CHUNK_UNAVAILABLE, "transport: " + t, 0);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}

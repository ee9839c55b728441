package io.strata.block.data;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.ClusterMapCache;
import io.strata.client.Futures;
import io.strata.client.PeerChannels;
import io.strata.common.Checksums;
import io.strata.common.RpcBatcher;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.Member;
import io.strata.proto.PlacementGroup;
import io.strata.proto.ReadChunkBatch;
import io.strata.proto.ReadChunkBatchReply;
import io.strata.proto.ReadChunkReply;
import io.strata.proto.ReadChunkRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chunk reads merged into ReadBatch RPCs per primary: the blocks of an extent, and concurrent
 * reads of many requests, share messages (a 1 MiB read is one or two RPCs, not 256). The fast path
 * trusts nothing it cannot check: any element that is not OK-with-a-matching-CRC or NOT_FOUND, and
 * every element of a batch that failed as a whole, is read again through
 * {@link ChunkClient#read}, which refreshes the map and retries within its deadline.
 */
public final class ChunkReads implements AutoCloseable {
  /** Few batches in flight per primary: reads queued behind them leave together (fewer messages when busy). */
  static final int BATCHES_IN_FLIGHT = 2;
  static final int BATCH_ITEMS = 1024;
  static final int BATCH_BYTES = 8 << 20;
  static final int QUEUED_READS = 16_384;
  static final long BATCH_DEADLINE_MILLIS = 15_000;

  private final ChunkClient chunks;
  private final PeerChannels channels = new PeerChannels();
  private final Map<String, RpcBatcher<ReadChunkRequest, ReadChunkReply>> batchers = new ConcurrentHashMap<>();
  private volatile Primaries primaries = new Primaries(-1, Map.of());

  public ChunkReads(ChunkClient chunks) {
    this.chunks = chunks;
  }

  /** {@code length} bytes at {@code offset} of a chunk (0 = to its end); empty if it does not exist. */
  public CompletableFuture<Optional<ByteString>> read(ChunkId id, int offset, int length) {
    ClusterMap m = chunks.maps().current();
    String primary = primaries(m).of(m, id);
    if (primary == null) {
      return chunks.read(id, offset, length);
    }
    ReadChunkRequest req = ReadChunkRequest.newBuilder().setEpoch(m.getEpoch()).setId(id)
        .setOffset(offset).setLength(length).build();
    return batcher(primary).submit(req).handle((r, err) -> {
      if (err == null && r.getStatus() == ChunkStatus.CHUNK_NOT_FOUND) {
        return CompletableFuture.completedFuture(Optional.<ByteString>empty());
      }
      if (err == null && r.getStatus() == ChunkStatus.CHUNK_OK
          && Checksums.crc32c(r.getData().asReadOnlyByteBuffer()) == r.getCrc32C()) {
        return CompletableFuture.completedFuture(Optional.of(r.getData()));
      }
      return chunks.read(id, offset, length);  // stale map, moved primary, bad copy, lost batch: retry the slow way
    }).thenCompose(f -> f);
  }

  private RpcBatcher<ReadChunkRequest, ReadChunkReply> batcher(String address) {
    return batchers.computeIfAbsent(address, a -> new RpcBatcher<>(
        list -> Futures.of(channels.stub(a, BATCH_DEADLINE_MILLIS).readBatch(
            ReadChunkBatch.newBuilder().addAllRequests(list).build())).thenApply(ReadChunkBatchReply::getRepliesList),
        r -> r.getLength() == 0 ? DataLayout.BLOCK_SIZE_BYTES : r.getLength(),
        BATCHES_IN_FLIGHT, BATCH_ITEMS, BATCH_BYTES, QUEUED_READS));
  }

  private Primaries primaries(ClusterMap m) {
    Primaries p = primaries;
    if (p.epoch != m.getEpoch()) {
      p = new Primaries(m.getEpoch(), new ConcurrentHashMap<>());
      primaries = p;
    }
    return p;
  }

  /** Primary address per (pool, pg) under one map epoch, so a read does not scan the map. */
  private record Primaries(long epoch, Map<Long, String> byGroup) {
    String of(ClusterMap m, ChunkId id) {
      long key = ((long) id.getPool() << 32) | id.getPg();
      String a = byGroup.get(key);
      if (a == null) {
        Optional<PlacementGroup> g = ClusterMapCache.group(m, id.getPool(), id.getPg());
        List<Member> acting = g.isEmpty() ? List.of() : ClusterMapCache.acting(m, g.get());
        a = acting.isEmpty() ? "" : ClusterMapCache.address(m, acting.get(0).getNodeId());
        byGroup.put(key, a);
      }
      return a.isEmpty() ? null : a;
    }
  }

  @Override
  public void close() {
    batchers.values().forEach(RpcBatcher::close);
    channels.close();
  }
}

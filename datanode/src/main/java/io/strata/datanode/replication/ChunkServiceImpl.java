package io.strata.datanode.replication;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.strata.client.ClusterMapCache;
import io.strata.client.Futures;
import io.strata.common.Checksums;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.datanode.disk.DiskException;
import io.strata.datanode.disk.PgMeta;
import io.strata.datanode.disk.RecordHeader;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkServiceGrpc;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.FetchRecordReply;
import io.strata.proto.FetchRecordRequest;
import io.strata.proto.FlushReply;
import io.strata.proto.FlushRequest;
import io.strata.proto.MapBarrierReply;
import io.strata.proto.MapBarrierRequest;
import io.strata.proto.PgListEntry;
import io.strata.proto.PgListReply;
import io.strata.proto.PgListRequest;
import io.strata.proto.PgSummary;
import io.strata.proto.PgSummaryRequest;
import io.strata.proto.PushRecordReply;
import io.strata.proto.PushRecordRequest;
import io.strata.proto.ReadChunkReply;
import io.strata.proto.ReadChunkRequest;
import io.strata.proto.ReplicaWrite;
import io.strata.proto.ReplicaWriteBatch;
import io.strata.proto.ReplicaWriteBatchReply;
import io.strata.proto.ReplicaWriteReply;
import io.strata.proto.WriteChunkBatch;
import io.strata.proto.WriteChunkBatchReply;
import io.strata.proto.WriteChunkReply;
import io.strata.proto.WriteChunkRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The datanode's gRPC face. As primary it orders writes (assigns versions), stores locally while
 * forwarding to every acting replica in parallel, and answers once each of them has the write in
 * its WAL; reads verify the CRC and fall back to a replica, repairing the local copy. As replica
 * it refuses writes from an older epoch, which fences a stale primary.
 */
/**
 * The datanode's gRPC face. The hot-path RPCs (write, read, flush, replica writes, and their
 * batch forms) delegate to {@link ChunkPaths}, like the data transport does; they stay for tools,
 * tests and peers without a data address. Peering, repair and fence barriers live only here.
 */
public final class ChunkServiceImpl extends ChunkServiceGrpc.ChunkServiceImplBase {
  public static final int MAX_CHUNK_BYTES = WritePath.MAX_CHUNK_BYTES;
  static final long REPLICA_DEADLINE_MILLIS = 15_000;
  static final int MAX_LIST_LIMIT = 10_000;
  static final long BARRIER_WAIT_MILLIS = 20_000;

  private final LocalNode node;
  private final ChunkPaths paths;
  private final java.util.concurrent.Executor readExecutor;

  /**
   * @param readExecutor runs blocking work (barrier refreshes), so that no RPC thread waits for
   *     metadata while peering RPCs need one
   */
  public ChunkServiceImpl(LocalNode node, ChunkPaths paths, java.util.concurrent.Executor readExecutor) {
    this.node = node;
    this.paths = paths;
    this.readExecutor = readExecutor;
  }

  private static io.netty.buffer.ByteBuf wrap(ByteString data) {
    return data.isEmpty() ? io.netty.buffer.Unpooled.EMPTY_BUFFER
        : io.netty.buffer.Unpooled.wrappedBuffer(data.asReadOnlyByteBuffer());
  }

  private ClusterMap mapAt(long epoch) {
    return paths.check().mapAt(epoch).join();
  }

  // ------------------------------------------------------------------ hot path

  @Override
  public void write(WriteChunkRequest req, StreamObserver<WriteChunkReply> out) {
    paths.writes().write(req.toBuilder().clearData().build(), wrap(req.getData())).thenAccept(r -> reply(out, r));
  }

  @Override
  public void writeBatch(WriteChunkBatch batch, StreamObserver<WriteChunkBatchReply> out) {
    List<CompletableFuture<WriteChunkReply>> all = new ArrayList<>(batch.getRequestsCount());
    for (WriteChunkRequest req : batch.getRequestsList()) {
      all.add(paths.writes().write(req.toBuilder().clearData().build(), wrap(req.getData())));
    }
    Futures.allInOrder(all).thenAccept(replies ->
        reply(out, WriteChunkBatchReply.newBuilder().addAllReplies(replies).build()));
  }

  @Override
  public void read(ReadChunkRequest req, StreamObserver<ReadChunkReply> out) {
    paths.reads().read(req).thenAccept(r -> {
      try {
        reply(out, r.header().toBuilder().setData(ByteString.copyFrom(r.payload().nioBuffer())).build());
      } finally {
        r.payload().release();
      }
    });
  }

  @Override
  public void readBatch(io.strata.proto.ReadChunkBatch batch, StreamObserver<io.strata.proto.ReadChunkBatchReply> out) {
    ReadBatches.serve(batch, this::read, out);
  }

  @Override
  public void flush(FlushRequest req, StreamObserver<FlushReply> out) {
    paths.flushes().flush(req).thenAccept(r -> reply(out, r));
  }

  @Override
  public void replicate(ReplicaWrite req, StreamObserver<ReplicaWriteReply> out) {
    paths.replicas().replicate(req.toBuilder().clearData().build(), wrap(req.getData())).thenAccept(r -> reply(out, r));
  }

  @Override
  public void replicateBatch(ReplicaWriteBatch batch, StreamObserver<ReplicaWriteBatchReply> out) {
    List<CompletableFuture<ReplicaWriteReply>> all = new ArrayList<>(batch.getWritesCount());
    for (ReplicaWrite w : batch.getWritesList()) {
      all.add(paths.replicas().replicate(w.toBuilder().clearData().build(), wrap(w.getData())));
    }
    Futures.allInOrder(all).thenAccept(replies ->
        reply(out, ReplicaWriteBatchReply.newBuilder().addAllReplies(replies).build()));
  }

  // ------------------------------------------------------------------ peering and repair

  @Override
  public void summary(PgSummaryRequest req, StreamObserver<PgSummary> out) {
    // Learn the new epoch first, so writes from a primary of an older epoch are refused from now
    // on; then pass a barrier through the disk's writer so that every write accepted before that
    // is in the summary the new primary peers with.
    ClusterMap m = mapAt(req.getEpoch());
    SimulatedDisk disk = node.disk(req.getPg().getDiskIndex());
    if (disk == null) {
      reply(out, PgSummary.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).build());
      return;
    }
    if (req.getEpoch() < ClusterMapCache.placementEpoch(m)) {
      reply(out, PgSummary.newBuilder().setStatus(ChunkStatus.CHUNK_STALE_EPOCH).setEpoch(m.getEpoch()).build());
      return;
    }
    try {
      disk.barrier().get(REPLICA_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
      PgMeta s = disk.summary(req.getPg().getPool(), req.getPg().getPg());
      reply(out, PgSummary.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setMaxVersion(s.maxVersion())
          .setCount(s.count()).setDigest(s.digest()).setEpoch(node.map().getEpoch()).build());
    } catch (DiskException e) {
      reply(out, PgSummary.newBuilder().setStatus(e.status()).build());
    } catch (Exception e) {
      reply(out, PgSummary.newBuilder().setStatus(ChunkStatus.CHUNK_IO_ERROR).build());
    }
  }

  @Override
  public void list(PgListRequest req, StreamObserver<PgListReply> out) {
    SimulatedDisk disk = node.disk(req.getPg().getDiskIndex());
    int limit = req.getLimit() == 0 ? 1000 : Math.min(req.getLimit(), MAX_LIST_LIMIT);
    if (disk == null) {
      reply(out, PgListReply.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).build());
      return;
    }
    try {
      List<SimulatedDisk.Listed> page = disk.list(req.getPg().getPool(), req.getPg().getPg(),
          req.getStartAfter().toByteArray(), limit + 1);
      PgListReply.Builder b = PgListReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setTruncated(page.size() > limit);
      for (SimulatedDisk.Listed l : page.subList(0, Math.min(limit, page.size()))) {
        b.addEntries(PgListEntry.newBuilder().setKey(ByteString.copyFrom(l.key())).setVersion(l.version()));
      }
      reply(out, b.build());
    } catch (DiskException e) {
      reply(out, PgListReply.newBuilder().setStatus(e.status()).build());
    }
  }

  @Override
  public void fetch(FetchRecordRequest req, StreamObserver<FetchRecordReply> out) {
    SimulatedDisk disk = node.disk(req.getPg().getDiskIndex());
    if (disk == null) {
      reply(out, FetchRecordReply.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).build());
      return;
    }
    try {
      SimulatedDisk.Stored s = disk.read(req.getKey().toByteArray());
      if (s == null) {
        reply(out, FetchRecordReply.newBuilder().setStatus(ChunkStatus.CHUNK_NOT_FOUND).build());
      } else if (!s.checksumOk()) {
        reply(out, FetchRecordReply.newBuilder().setStatus(ChunkStatus.CHUNK_CHECKSUM_MISMATCH).build());
      } else {
        reply(out, FetchRecordReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setVersion(s.header().version())
            .setData(ByteString.copyFrom(s.data())).setCrc32C(s.header().crc32c())
            .setDelete(s.header().tombstone()).setEpoch(node.map().getEpoch()).build());
      }
    } catch (DiskException | IllegalArgumentException e) {
      reply(out, FetchRecordReply.newBuilder().setStatus(ChunkStatus.CHUNK_IO_ERROR).build());
    }
  }

  @Override
  public void push(PushRecordRequest req, StreamObserver<PushRecordReply> out) {
    ClusterMap m = mapAt(req.getEpoch());
    if (req.getEpoch() < ClusterMapCache.placementEpoch(m)) {
      reply(out, PushRecordReply.newBuilder().setStatus(ChunkStatus.CHUNK_STALE_EPOCH).build());
      return;
    }
    SimulatedDisk disk = node.disk(req.getPg().getDiskIndex());
    if (disk == null) {
      reply(out, PushRecordReply.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).setMessage("no such disk").build());
      return;
    }
    if (!req.getDelete() && Checksums.crc32c(req.getData().asReadOnlyByteBuffer()) != req.getCrc32C()) {
      reply(out, PushRecordReply.newBuilder().setStatus(ChunkStatus.CHUNK_CHECKSUM_MISMATCH).build());
      return;
    }
    ChunkId id;
    try {
      id = ChunkKeys.decode(req.getKey().toByteArray());
    } catch (IllegalArgumentException e) {
      reply(out, PushRecordReply.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).setMessage(e.getMessage()).build());
      return;
    }
    byte[] data = req.getDelete() ? new byte[0] : req.getData().toByteArray();
    RecordHeader h = new RecordHeader(req.getVersion(), req.getCrc32C(), data.length, req.getDelete());
    disk.write(req.getKey().toByteArray(), id.getPool(), id.getPg(), h, data, false, req.getReplaceSameVersion())
        .handle((applied, t) -> t == null
            ? PushRecordReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).build()
            : PushRecordReply.newBuilder().setStatus(statusOf(t)).setMessage(cause(t).getMessage()).build())
        .thenAccept(r -> reply(out, r));
  }

  // ------------------------------------------------------------------ fence barrier

  /** Learns the map of at least the requested epoch, then waits for writes admitted under older maps. */
  @Override
  public void mapBarrier(MapBarrierRequest req, StreamObserver<MapBarrierReply> out) {
    paths.check().mapAt(req.getEpoch())
        .thenCompose(m -> m.getEpoch() < req.getEpoch()
            ? CompletableFuture.completedFuture(MapBarrierReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE)
                .setEpoch(m.getEpoch()).build())
            : paths.writes().admission().drain().orTimeout(BARRIER_WAIT_MILLIS, TimeUnit.MILLISECONDS).thenApply(v ->
                MapBarrierReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setEpoch(m.getEpoch()).build()))
        .exceptionally(t -> MapBarrierReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE).build())
        .thenAccept(r -> reply(out, r));
  }

  // ------------------------------------------------------------------ helpers

  static ChunkStatus statusOf(Throwable t) {
    return WritePath.statusOf(t);
  }

  static Throwable cause(Throwable t) {
    return WritePath.cause(t);
  }

  private static <T> void reply(StreamObserver<T> out, T value) {
    try {
      out.onNext(value);
      out.onCompleted();
    } catch (RuntimeException e) {
      // the caller went away (cancelled or deadline); nothing to tell it
    }
  }
}

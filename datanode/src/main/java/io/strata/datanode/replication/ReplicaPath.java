package io.strata.datanode.replication;

import io.netty.buffer.ByteBuf;
import io.strata.client.ClusterMapCache;
import io.strata.common.Checksums;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.datanode.disk.RecordHeader;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.ReplicaWrite;
import io.strata.proto.ReplicaWriteReply;
import java.util.concurrent.CompletableFuture;

/**
 * A replica write from a primary: refused if the primary's placement epoch is older than ours
 * (that fences a stale primary), checked against its CRC, stored at the primary's version.
 * Takes over the payload's reference.
 */
final class ReplicaPath {
  private final LocalNode node;
  private final PrimaryCheck check;

  ReplicaPath(LocalNode node, PrimaryCheck check) {
    this.node = node;
    this.check = check;
  }

  CompletableFuture<ReplicaWriteReply> replicate(ReplicaWrite req, ByteBuf payload) {
    CompletableFuture<ReplicaWriteReply> r;
    try {
      ClusterMap now = node.map();
      r = req.getEpoch() <= now.getEpoch() ? apply(now, req, payload)
          : check.mapAt(req.getEpoch()).thenCompose(m -> apply(m, req, payload));
    } catch (RuntimeException e) {
      r = CompletableFuture.failedFuture(e);
    }
    return r.whenComplete((x, t) -> payload.release())
        .exceptionally(t -> ReplicaWriteReply.newBuilder().setStatus(WritePath.statusOf(t))
            .setMessage(WritePath.cause(t).toString()).build());
  }

  private CompletableFuture<ReplicaWriteReply> apply(ClusterMap m, ReplicaWrite req, ByteBuf payload) {
    if (req.getEpoch() < ClusterMapCache.placementEpoch(m)) {
      return done(ReplicaWriteReply.newBuilder().setStatus(ChunkStatus.CHUNK_STALE_EPOCH).setEpoch(m.getEpoch())
          .setMessage("primary at epoch " + req.getEpoch() + " fenced by " + m.getEpoch()).build());
    }
    String bad = req.hasId() ? PrimaryCheck.validate(req.getId()) : "missing chunk id";
    SimulatedDisk disk = node.disk(req.getDiskIndex());
    if (bad == null && disk == null) {
      bad = "no disk " + req.getDiskIndex();
    }
    if (bad == null && payload.readableBytes() > WritePath.MAX_CHUNK_BYTES) {
      bad = "chunk larger than " + WritePath.MAX_CHUNK_BYTES + " bytes";
    }
    if (bad != null) {
      return done(ReplicaWriteReply.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).setMessage(bad).build());
    }
    if (!req.getDelete() && Checksums.crc32c(payload.nioBuffer()) != req.getCrc32C()) {
      return done(ReplicaWriteReply.newBuilder().setStatus(ChunkStatus.CHUNK_CHECKSUM_MISMATCH).build());
    }
    int length = req.getDelete() ? 0 : payload.readableBytes();
    RecordHeader h = new RecordHeader(req.getVersion(), req.getCrc32C(), length, req.getDelete());
    return disk.write(ChunkKeys.encode(req.getId()), req.getId().getPool(), req.getId().getPg(), h,
            req.getDelete() ? java.nio.ByteBuffer.allocate(0) : payload.nioBuffer(), false)
        .thenCompose(applied -> req.getSync() ? disk.sync() : CompletableFuture.completedFuture(null))
        .thenApply(v -> ReplicaWriteReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setEpoch(m.getEpoch()).build());
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}

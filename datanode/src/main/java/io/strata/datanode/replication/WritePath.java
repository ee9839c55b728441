package io.strata.datanode.replication;

import io.netty.buffer.ByteBuf;
import io.strata.client.Fence;
import io.strata.common.Checksums;
import io.strata.common.Metrics;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.datanode.disk.DiskException;
import io.strata.datanode.disk.RecordHeader;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.FenceToken;
import io.strata.proto.Member;
import io.strata.proto.ReplicaWrite;
import io.strata.proto.ReplicaWriteReply;
import io.strata.proto.WriteChunkReply;
import io.strata.proto.WriteChunkRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write or delete on the primary: it orders the write (assigns the version), stores it locally
 * while forwarding it to every acting replica in parallel, and answers once each of them has it
 * in its WAL (synced too if the writer asked). Transport-neutral: the payload is a buffer whose
 * reference this path takes over and releases when the local write and the forwards are done.
 */
final class WritePath {
  private static final Logger LOG = LoggerFactory.getLogger(WritePath.class);
  static final int MAX_CHUNK_BYTES = 8 << 20;
  static final long ACTIVATION_WAIT_MILLIS = 10_000;

  private final LocalNode node;
  private final PrimaryCheck check;
  private final ReplicaLinks links;
  private final WriteAdmission admission = new WriteAdmission();
  private final OrMerges merges;
  private final LongAdder writes = Metrics.global().counter("strata_chunk_writes_total", "chunk writes served as primary");
  private final LongAdder replicaFailures = Metrics.global().counter("strata_chunk_replica_write_failures_total",
      "replica writes that failed (the write was acknowledged if min_replicas still held it)");

  WritePath(LocalNode node, PrimaryCheck check, ReplicaLinks links, java.util.concurrent.Executor slow) {
    this.node = node;
    this.check = check;
    this.links = links;
    this.merges = new OrMerges(slow);
  }

  WriteAdmission admission() {
    return admission;
  }

  CompletableFuture<WriteChunkReply> write(WriteChunkRequest req, ByteBuf payload) {
    CompletableFuture<WriteChunkReply> r;
    try {
      r = start(req, payload);
    } catch (RuntimeException e) {
      r = CompletableFuture.failedFuture(e);
    }
    return r.whenComplete((x, t) -> payload.release())
        .exceptionally(t -> reply(ChunkStatus.CHUNK_IO_ERROR, "write failed: " + cause(t), node.map().getEpoch()));
  }

  private CompletableFuture<WriteChunkReply> start(WriteChunkRequest req, ByteBuf payload) {
    String bad = req.hasId() ? PrimaryCheck.validate(req.getId()) : "missing chunk id";
    if (bad == null && payload.readableBytes() > MAX_CHUNK_BYTES) {
      bad = "chunk larger than " + MAX_CHUNK_BYTES + " bytes";
    }
    if (bad == null && req.getDelete() && payload.isReadable()) {
      bad = "a delete carries no data";
    }
    if (bad == null && req.getDelete() && req.getMergeOr()) {
      bad = "a delete cannot be merged";
    }
    if (bad != null) {
      return done(reply(ChunkStatus.CHUNK_INVALID, bad, node.map().getEpoch()));
    }
    if (!req.getDelete() && Checksums.crc32c(payload.nioBuffer()) != req.getCrc32C()) {
      return done(reply(ChunkStatus.CHUNK_CHECKSUM_MISMATCH, "data does not match its crc32c", node.map().getEpoch()));
    }
    return check.primary(req.getEpoch(), req.getId()).thenCompose(p -> {
      if (p.refusal() != null) {
        return done(reply(p.refusal(), p.why(), p.epoch()));
      }
      CompletableFuture<Void> active = p.pg().active;
      if (active.isDone() && !active.isCompletedExceptionally()) {
        return admitted(p, req, payload);
      }
      return active.copy().orTimeout(ACTIVATION_WAIT_MILLIS, TimeUnit.MILLISECONDS)
          .thenCompose(v -> admitted(p, req, payload))
          .exceptionally(t -> reply(ChunkStatus.CHUNK_UNAVAILABLE, "group " + req.getId().getPg()
              + " not active: " + cause(t).getMessage(), p.epoch()));
    });
  }

  /**
   * Checks the writer's fence against the newest map we have and starts the write, both inside
   * {@link WriteAdmission} so a fence barrier sees either the write refused or the write started.
   * A fenced write also needs a map lease: a datanode cut off from metadata may have missed a raise.
   */
  private CompletableFuture<WriteChunkReply> admitted(PrimaryCheck.Primary p, WriteChunkRequest req, ByteBuf payload) {
    return admission.admit(() -> {
      if (!req.getFence().getKey().isEmpty()) {
        ClusterMap now = node.map();
        if (!node.maps().leaseValid()) {
          return done(reply(ChunkStatus.CHUNK_UNAVAILABLE, "map lease expired on " + node.nodeId()
              + ": fenced writes wait for metadata", now.getEpoch()));
        }
        if (!Fence.admits(now, req.getFence())) {
          return done(reply(ChunkStatus.CHUNK_FENCED, fencedWhy(now, req.getFence()), now.getEpoch()));
        }
      }
      return replicated(p, req, payload);
    });
  }

  static String fencedWhy(ClusterMap m, FenceToken t) {
    return "fence " + t.getKey() + " is at epoch " + Fence.current(m, t.getKey()) + "; writer holds " + t.getEpoch();
  }

  private CompletableFuture<WriteChunkReply> replicated(PrimaryCheck.Primary p, WriteChunkRequest req, ByteBuf payload) {
    SimulatedDisk disk = node.disk(p.acting().get(0).getDiskIndex());
    if (disk == null) {
      return done(reply(ChunkStatus.CHUNK_IO_ERROR, "no local disk", p.epoch()));
    }
    if (!req.getMergeOr()) {
      return stored(p, disk, req, payload);
    }
    return merges.merge(ChunkKeys.encode(req.getId()), disk, payload, p.epoch(), (merged, crc) ->
        stored(p, disk, req.toBuilder().setCrc32C(crc).setMergeOr(false).build(), merged)
            .whenComplete((r, t) -> merged.release()));
  }

  /** Versions the write, stores it locally and forwards it to every acting replica. */
  private CompletableFuture<WriteChunkReply> stored(PrimaryCheck.Primary p, SimulatedDisk disk, WriteChunkRequest req,
                                                    ByteBuf payload) {
    ChunkId id = req.getId();
    long version = p.pg().nextVersion();
    int length = req.getDelete() ? 0 : payload.readableBytes();
    RecordHeader h = new RecordHeader(version, req.getDelete() ? 0 : req.getCrc32C(), length, req.getDelete());
    CompletableFuture<ChunkStatus> local = disk.write(ChunkKeys.encode(id), id.getPool(), id.getPg(), h,
            payload.nioBuffer(), false)
        .thenCompose(applied -> req.getSync() ? disk.sync() : CompletableFuture.completedFuture(null))
        .handle((v, t) -> t == null ? ChunkStatus.CHUNK_OK : statusOf(t));
    int replicas = p.acting().size() - 1;
    @SuppressWarnings("unchecked")
    CompletableFuture<ReplicaWriteReply>[] remote = new CompletableFuture[replicas];
    for (int i = 0; i < replicas; i++) {
      Member m = p.acting().get(i + 1);
      ReplicaWrite rw = ReplicaWrite.newBuilder().setEpoch(p.epoch()).setId(id).setVersion(version)
          .setCrc32C(h.crc32c()).setDelete(req.getDelete()).setSync(req.getSync())
          .setDiskIndex(m.getDiskIndex()).build();
      remote[i] = links.replicate(p.index(), m.getNodeId(), rw, payload.retainedDuplicate());
    }
    CompletableFuture<?>[] all = new CompletableFuture<?>[replicas + 1];
    System.arraycopy(remote, 0, all, 0, replicas);
    all[replicas] = local;
    return CompletableFuture.allOf(all).thenApply(v -> outcome(p, id, version, local.join(), remote));
  }

  private WriteChunkReply outcome(PrimaryCheck.Primary p, ChunkId id, long version, ChunkStatus localStatus,
                                  CompletableFuture<ReplicaWriteReply>[] remote) {
    if (localStatus != ChunkStatus.CHUNK_OK) {
      return reply(localStatus, "local write failed on " + node.nodeId(), p.epoch());
    }
    int copies = 1;
    long staleEpoch = 0;
    for (CompletableFuture<ReplicaWriteReply> f : remote) {
      ReplicaWriteReply r = f.join();
      if (r.getStatus() == ChunkStatus.CHUNK_OK) {
        copies++;
        continue;
      }
      if (replicaFailures.sum() % 1000 == 0) {
        LOG.warn("replica write for group {} failed: {} {}", id.getPg(), r.getStatus(), r.getMessage());
      }
      replicaFailures.increment();
      if (r.getStatus() == ChunkStatus.CHUNK_STALE_EPOCH) {
        staleEpoch = Math.max(staleEpoch, r.getEpoch());
      }
    }
    if (staleEpoch > 0) {
      // A replica has a newer placement: we may no longer be primary. Fenced; the client retries.
      node.maps().atLeast(staleEpoch);
      return reply(ChunkStatus.CHUNK_STALE_EPOCH, "a replica is at epoch " + staleEpoch, staleEpoch);
    }
    if (copies < p.acting().size()) {
      node.pgs().markDirty(id.getPool(), id.getPg());
    }
    if (copies < p.pool().getMinReplicas()) {
      return reply(ChunkStatus.CHUNK_UNAVAILABLE, copies + " copies < min " + p.pool().getMinReplicas(), p.epoch());
    }
    writes.increment();
    return WriteChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setVersion(version)
        .setCopies(copies).setEpoch(p.epoch()).build();
  }

  static WriteChunkReply reply(ChunkStatus s, String message, long epoch) {
    return WriteChunkReply.newBuilder().setStatus(s).setMessage(message).setEpoch(epoch).build();
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  static Throwable cause(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  static ChunkStatus statusOf(Throwable t) {
    Throwable c = cause(t);
    return c instanceof DiskException de ? de.status() : ChunkStatus.CHUNK_IO_ERROR;
  }
}

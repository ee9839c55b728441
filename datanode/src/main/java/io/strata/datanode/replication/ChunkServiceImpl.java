package io.strata.datanode.replication;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.strata.client.ClusterMapCache;
import io.strata.client.Fence;
import io.strata.client.Futures;
import io.strata.common.Checksums;
import io.strata.common.Metrics;
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
import io.strata.proto.Member;
import io.strata.proto.PgListEntry;
import io.strata.proto.PgListReply;
import io.strata.proto.PgListRequest;
import io.strata.proto.PgSummary;
import io.strata.proto.PgSummaryRequest;
import io.strata.proto.PlacementGroup;
import io.strata.proto.PoolInfo;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The datanode's gRPC face. As primary it orders writes (assigns versions), stores locally while
 * forwarding to every acting replica in parallel, and answers once each of them has the write in
 * its WAL; reads verify the CRC and fall back to a replica, repairing the local copy. As replica
 * it refuses writes from an older epoch, which fences a stale primary.
 */
public final class ChunkServiceImpl extends ChunkServiceGrpc.ChunkServiceImplBase {
  public static final int MAX_CHUNK_BYTES = 8 << 20;
  static final long ACTIVATION_WAIT_MILLIS = 10_000;
  static final long REPLICA_DEADLINE_MILLIS = 15_000;
  static final int MAX_LIST_LIMIT = 10_000;

  static final long BARRIER_WAIT_MILLIS = 20_000;

  private final LocalNode node;
  private final RecordTransfer transfer;
  private final WriteAdmission admission = new WriteAdmission();
  private final LongAdder writes = Metrics.global().counter("strata_chunk_writes_total", "chunk writes served as primary");
  private final LongAdder reads = Metrics.global().counter("strata_chunk_reads_total", "chunk reads served as primary");
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChunkServiceImpl.class);
  private final LongAdder replicaFailures = Metrics.global().counter("strata_chunk_replica_write_failures_total",
      "replica writes that failed (the write was acknowledged if min_replicas still held it)");
  private final LongAdder repairs = Metrics.global().counter("strata_chunk_read_repairs_total",
      "corrupt or unreadable local copies repaired from a replica on read");

  private final java.util.concurrent.Executor readExecutor;

  /**
   * @param readExecutor runs local reads and read repair, so that no RPC thread ever waits for a
   *     group to activate (peering RPCs that would activate it must always find a thread)
   */
  public ChunkServiceImpl(LocalNode node, java.util.concurrent.Executor readExecutor) {
    this.node = node;
    this.readExecutor = readExecutor;
    this.transfer = new RecordTransfer(node);
  }

  /** The group context of a primary request, or the status that refuses it. */
  private record Primary(ClusterMap map, PlacementGroup group, List<Member> acting, PoolInfo pool, PgTable.Pg pg,
                         ChunkStatus refusal, String why) {
    static Primary refuse(ClusterMap m, ChunkStatus s, String why) {
      return new Primary(m, null, null, null, null, s, why);
    }
  }

  private ClusterMap mapAt(long requestEpoch) {
    ClusterMap m = node.map();
    if (requestEpoch > m.getEpoch()) {
      try {
        m = node.maps().refreshIfOlder(requestEpoch);
      } catch (RuntimeException e) {
        // keep ours; the caller sees STALE or NOT_PRIMARY and retries
      }
    }
    return m;
  }

  private Primary primary(long epoch, ChunkId id) {
    ClusterMap m = mapAt(epoch);
    if (epoch < ClusterMapCache.placementEpoch(m)) {
      return Primary.refuse(m, ChunkStatus.CHUNK_STALE_EPOCH, "epoch " + epoch + " < placement epoch "
          + ClusterMapCache.placementEpoch(m));
    }
    Optional<PlacementGroup> g = ClusterMapCache.group(m, id.getPool(), id.getPg());
    Optional<PoolInfo> pool = ClusterMapCache.pool(m, id.getPool());
    if (g.isEmpty() || pool.isEmpty()) {
      return Primary.refuse(m, ChunkStatus.CHUNK_INVALID, "no group " + id.getPool() + "/" + id.getPg());
    }
    List<Member> acting = ClusterMapCache.acting(m, g.get());
    if (acting.isEmpty() || !acting.get(0).getNodeId().equals(node.nodeId())) {
      return Primary.refuse(m, ChunkStatus.CHUNK_NOT_PRIMARY, node.nodeId() + " is not primary of " + id.getPg());
    }
    if (acting.size() < pool.get().getMinReplicas()) {
      return Primary.refuse(m, ChunkStatus.CHUNK_UNAVAILABLE, acting.size() + " acting members < min "
          + pool.get().getMinReplicas());
    }
    PgTable.Pg pg = node.pgs().get(id.getPool(), id.getPg());
    if (pg == null) {
      return Primary.refuse(m, ChunkStatus.CHUNK_UNAVAILABLE, "group not yet known on " + node.nodeId());
    }
    return new Primary(m, g.get(), acting, pool.get(), pg, null, null);
  }

  private static String validate(ChunkId id) {
    if (id.getObjectId().isEmpty() || id.getObjectId().size() > ChunkKeys.MAX_OBJECT_ID_BYTES) {
      return "object id must be 1.." + ChunkKeys.MAX_OBJECT_ID_BYTES + " bytes";
    }
    return null;
  }

  // ------------------------------------------------------------------ primary: write

  @Override
  public void write(WriteChunkRequest req, StreamObserver<WriteChunkReply> out) {
    handleWrite(req).thenAccept(r -> reply(out, r));
  }

  @Override
  public void writeBatch(WriteChunkBatch batch, StreamObserver<WriteChunkBatchReply> out) {
    List<CompletableFuture<WriteChunkReply>> all = new ArrayList<>(batch.getRequestsCount());
    for (WriteChunkRequest req : batch.getRequestsList()) {
      all.add(handleWrite(req));
    }
    Futures.allInOrder(all).thenAccept(replies ->
        reply(out, WriteChunkBatchReply.newBuilder().addAllReplies(replies).build()));
  }

  private CompletableFuture<WriteChunkReply> handleWrite(WriteChunkRequest req) {
    String bad = req.hasId() ? validate(req.getId()) : "missing chunk id";
    if (bad == null && req.getData().size() > MAX_CHUNK_BYTES) {
      bad = "chunk larger than " + MAX_CHUNK_BYTES + " bytes";
    }
    if (bad != null) {
      return CompletableFuture.completedFuture(writeReply(ChunkStatus.CHUNK_INVALID, bad, node.map().getEpoch()));
    }
    if (!req.getDelete() && Checksums.crc32c(req.getData().asReadOnlyByteBuffer()) != req.getCrc32C()) {
      return CompletableFuture.completedFuture(writeReply(ChunkStatus.CHUNK_CHECKSUM_MISMATCH,
          "data does not match its crc32c", node.map().getEpoch()));
    }
    Primary p = primary(req.getEpoch(), req.getId());
    if (p.refusal() != null) {
      return CompletableFuture.completedFuture(writeReply(p.refusal(), p.why(), p.map().getEpoch()));
    }
    return p.pg().active.copy().orTimeout(ACTIVATION_WAIT_MILLIS, TimeUnit.MILLISECONDS)
        .thenCompose(v -> admittedWrite(p, req))
        .exceptionally(t -> writeReply(ChunkStatus.CHUNK_UNAVAILABLE, "group " + req.getId().getPg()
            + " not active: " + cause(t).getMessage(), p.map().getEpoch()));
  }

  /**
   * Checks the writer's fence against the newest map we have and starts the write, both inside
   * {@link WriteAdmission} so a fence barrier sees either the write refused or the write started.
   * A fenced write also needs a map lease: a datanode cut off from metadata may have missed a raise.
   */
  private CompletableFuture<WriteChunkReply> admittedWrite(Primary p, WriteChunkRequest req) {
    return admission.admit(() -> {
      if (!req.getFence().getKey().isEmpty()) {
        ClusterMap now = node.map();
        if (!node.maps().leaseValid()) {
          return CompletableFuture.completedFuture(writeReply(ChunkStatus.CHUNK_UNAVAILABLE,
              "map lease expired on " + node.nodeId() + ": fenced writes wait for metadata", now.getEpoch()));
        }
        if (!Fence.admits(now, req.getFence())) {
          return CompletableFuture.completedFuture(writeReply(ChunkStatus.CHUNK_FENCED, fencedWhy(now, req.getFence()),
              now.getEpoch()));
        }
      }
      return replicatedWrite(p, req);
    });
  }

  private static String fencedWhy(ClusterMap m, io.strata.proto.FenceToken t) {
    return "fence " + t.getKey() + " is at epoch " + Fence.current(m, t.getKey()) + "; writer holds " + t.getEpoch();
  }

  private CompletableFuture<WriteChunkReply> replicatedWrite(Primary p, WriteChunkRequest req) {
    ChunkId id = req.getId();
    byte[] key = ChunkKeys.encode(id);
    long version = p.pg().nextVersion();
    byte[] data = req.getDelete() ? new byte[0] : req.getData().toByteArray();
    RecordHeader h = new RecordHeader(version, req.getDelete() ? 0 : req.getCrc32C(), data.length, req.getDelete());
    SimulatedDisk disk = node.disk(p.acting().get(0).getDiskIndex());
    if (disk == null) {
      return CompletableFuture.completedFuture(writeReply(ChunkStatus.CHUNK_IO_ERROR, "no local disk", p.map().getEpoch()));
    }
    CompletableFuture<ChunkStatus> local = disk.write(key, id.getPool(), id.getPg(), h, data, req.getSync(), false)
        .handle((applied, t) -> t == null ? ChunkStatus.CHUNK_OK : statusOf(t));
    List<CompletableFuture<ReplicaWriteReply>> remote = new ArrayList<>();
    for (Member m : p.acting().subList(1, p.acting().size())) {
      ReplicaWrite rw = ReplicaWrite.newBuilder().setEpoch(p.map().getEpoch()).setId(id).setVersion(version)
          .setData(req.getData()).setCrc32C(h.crc32c()).setDelete(req.getDelete()).setSync(req.getSync())
          .setDiskIndex(m.getDiskIndex()).build();
      remote.add(node.channels().replicas(ClusterMapCache.address(p.map(), m.getNodeId())).submit(rw)
          .exceptionally(t -> ReplicaWriteReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE)
              .setMessage(String.valueOf(t)).build()));
    }
    List<CompletableFuture<?>> all = new ArrayList<>(remote);
    all.add(local);
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).thenApply(v -> {
      ChunkStatus ls = local.join();
      if (ls != ChunkStatus.CHUNK_OK) {
        return writeReply(ls, "local write failed on " + node.nodeId(), p.map().getEpoch());
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
        // A replica has a newer map: we may no longer be primary. Fenced; the client retries.
        node.maps().refreshIfOlder(staleEpoch);
        return writeReply(ChunkStatus.CHUNK_STALE_EPOCH, "a replica is at epoch " + staleEpoch, staleEpoch);
      }
      if (copies < p.acting().size()) {
        node.pgs().markDirty(id.getPool(), id.getPg());
      }
      if (copies < p.pool().getMinReplicas()) {
        return writeReply(ChunkStatus.CHUNK_UNAVAILABLE, copies + " copies < min " + p.pool().getMinReplicas(),
            p.map().getEpoch());
      }
      writes.increment();
      return WriteChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setVersion(version)
          .setCopies(copies).setEpoch(p.map().getEpoch()).build();
    });
  }

  // ------------------------------------------------------------------ primary: read

  @Override
  public void read(ReadChunkRequest req, StreamObserver<ReadChunkReply> out) {
    String bad = req.hasId() ? validate(req.getId()) : "missing chunk id";
    if (bad != null) {
      reply(out, ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).setMessage(bad).build());
      return;
    }
    Primary p = primary(req.getEpoch(), req.getId());
    if (p.refusal() != null) {
      reply(out, ReadChunkReply.newBuilder().setStatus(p.refusal()).setMessage(p.why())
          .setEpoch(p.map().getEpoch()).build());
      return;
    }
    p.pg().active.copy().orTimeout(ACTIVATION_WAIT_MILLIS, TimeUnit.MILLISECONDS)
        .thenApplyAsync(v -> readLocalOrRepair(p, req), readExecutor)
        .exceptionally(t -> ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE)
            .setMessage("group " + req.getId().getPg() + " not readable: " + cause(t)).setEpoch(p.map().getEpoch())
            .build())
        .thenAccept(r -> reply(out, r));
  }

  @Override
  public void readBatch(io.strata.proto.ReadChunkBatch batch, StreamObserver<io.strata.proto.ReadChunkBatchReply> out) {
    ReadBatches.serve(batch, this::read, out);
  }

  private ReadChunkReply readLocalOrRepair(Primary p, ReadChunkRequest req) {
    byte[] key = ChunkKeys.encode(req.getId());
    SimulatedDisk disk = node.disk(p.acting().get(0).getDiskIndex());
    SimulatedDisk.Stored s = null;
    RecordHeader header = null;
    try {
      header = disk == null ? null : disk.header(key);
      s = disk == null ? null : disk.read(key);
    } catch (DiskException e) {
      s = null;
    }
    byte[] data;
    long version;
    if (s != null && s.checksumOk()) {
      if (s.header().tombstone()) {
        return notFound(p);
      }
      data = s.data();
      version = s.header().version();
    } else if (s == null && header == null && disk != null && !disk.faults().isFailed()) {
      return notFound(p);
    } else {
      FetchRecordReply good = transfer.fetchGood(p.acting(), key, header == null ? 0 : header.version());
      if (good == null) {
        return ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_IO_ERROR).setEpoch(p.map().getEpoch())
            .setMessage("no readable copy of chunk in group " + req.getId().getPg()).build();
      }
      repairs.increment();
      if (disk != null) {
        try {
          RecordTransfer.install(disk, key, good, true);
        } catch (RuntimeException e) {
          // the disk is failing; the read is still served from the good copy
        }
      }
      if (good.getDelete()) {
        return notFound(p);
      }
      data = good.getData().toByteArray();
      version = good.getVersion();
    }
    reads.increment();
    int off = Math.min(req.getOffset(), data.length);
    int len = req.getLength() == 0 ? data.length - off : Math.min(req.getLength(), data.length - off);
    ByteString slice = ByteString.copyFrom(data, off, len);
    return ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setData(slice)
        .setCrc32C(Checksums.crc32c(data, off, len)).setVersion(version).setChunkLength(data.length)
        .setEpoch(p.map().getEpoch()).build();
  }

  private static ReadChunkReply notFound(Primary p) {
    return ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_NOT_FOUND).setEpoch(p.map().getEpoch()).build();
  }

  // ------------------------------------------------------------------ flush

  @Override
  public void flush(FlushRequest req, StreamObserver<FlushReply> out) {
    ClusterMap m = mapAt(req.getEpoch());
    if (!req.getForwarded() && req.getEpoch() < ClusterMapCache.placementEpoch(m)) {
      reply(out, FlushReply.newBuilder().setStatus(ChunkStatus.CHUNK_STALE_EPOCH).setEpoch(m.getEpoch()).build());
      return;
    }
    if (!req.getForwarded() && !Fence.admits(m, req.getFence())) {
      reply(out, FlushReply.newBuilder().setStatus(ChunkStatus.CHUNK_FENCED).setEpoch(m.getEpoch())
          .setMessage(fencedWhy(m, req.getFence())).build());
      return;
    }
    java.util.Set<Integer> myDisks = new java.util.HashSet<>();
    java.util.Map<String, List<Integer>> forward = new java.util.HashMap<>();
    for (int pgNo : req.getPgsList()) {
      Optional<PlacementGroup> g = ClusterMapCache.group(m, req.getPool(), pgNo);
      if (g.isEmpty()) {
        continue;
      }
      for (Member member : ClusterMapCache.acting(m, g.get())) {
        if (member.getNodeId().equals(node.nodeId())) {
          myDisks.add(member.getDiskIndex());
        } else if (!req.getForwarded()) {
          forward.computeIfAbsent(member.getNodeId(), k -> new ArrayList<>()).add(pgNo);
        }
      }
    }
    if (req.getForwarded() && myDisks.isEmpty()) {
      node.disks().forEach(d -> myDisks.add(d.index()));
    }
    List<CompletableFuture<Boolean>> syncs = new ArrayList<>();
    for (int d : myDisks) {
      SimulatedDisk disk = node.disk(d);
      if (disk != null) {
        syncs.add(disk.sync());
      }
    }
    List<CompletableFuture<FlushReply>> remote = new ArrayList<>();
    forward.forEach((nodeId, pgs) -> remote.add(Futures.of(node.channels()
            .stub(ClusterMapCache.address(m, nodeId), REPLICA_DEADLINE_MILLIS)
            .flush(FlushRequest.newBuilder().setEpoch(m.getEpoch()).setPool(req.getPool()).addAllPgs(pgs)
                .setForwarded(true).build()))
        .exceptionally(t -> FlushReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE).build())));
    List<CompletableFuture<?>> all = new ArrayList<>(syncs);
    all.addAll(remote);
    CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).handle((v, t) -> {
      boolean localOk = syncs.stream().allMatch(f -> !f.isCompletedExceptionally());
      long failedRemote = remote.stream().filter(f -> f.join().getStatus() != ChunkStatus.CHUNK_OK).count();
      ChunkStatus s = localOk && failedRemote == 0 ? ChunkStatus.CHUNK_OK
          : localOk && (1 + remote.size() - failedRemote) >= minReplicas(m, req.getPool()) ? ChunkStatus.CHUNK_OK
          : ChunkStatus.CHUNK_UNAVAILABLE;
      return FlushReply.newBuilder().setStatus(s).setEpoch(m.getEpoch())
          .setMessage(localOk ? failedRemote + " replicas failed to sync" : "local sync failed").build();
    }).thenAccept(r -> reply(out, r));
  }

  private static int minReplicas(ClusterMap m, int pool) {
    return ClusterMapCache.pool(m, pool).map(PoolInfo::getMinReplicas).orElse(1);
  }

  // ------------------------------------------------------------------ replica side

  @Override
  public void replicate(ReplicaWrite req, StreamObserver<ReplicaWriteReply> out) {
    handleReplicate(req).thenAccept(r -> reply(out, r));
  }

  @Override
  public void replicateBatch(ReplicaWriteBatch batch, StreamObserver<ReplicaWriteBatchReply> out) {
    List<CompletableFuture<ReplicaWriteReply>> all = new ArrayList<>(batch.getWritesCount());
    for (ReplicaWrite w : batch.getWritesList()) {
      all.add(handleReplicate(w));
    }
    Futures.allInOrder(all).thenAccept(replies ->
        reply(out, ReplicaWriteBatchReply.newBuilder().addAllReplies(replies).build()));
  }

  private CompletableFuture<ReplicaWriteReply> handleReplicate(ReplicaWrite req) {
    ClusterMap m = mapAt(req.getEpoch());
    if (req.getEpoch() < ClusterMapCache.placementEpoch(m)) {
      return CompletableFuture.completedFuture(ReplicaWriteReply.newBuilder()
          .setStatus(ChunkStatus.CHUNK_STALE_EPOCH).setEpoch(m.getEpoch())
          .setMessage("primary at epoch " + req.getEpoch() + " fenced by " + m.getEpoch()).build());
    }
    String bad = req.hasId() ? validate(req.getId()) : "missing chunk id";
    SimulatedDisk disk = node.disk(req.getDiskIndex());
    if (bad == null && disk == null) {
      bad = "no disk " + req.getDiskIndex();
    }
    if (bad == null && !req.getDelete() && Checksums.crc32c(req.getData().asReadOnlyByteBuffer()) != req.getCrc32C()) {
      return CompletableFuture.completedFuture(ReplicaWriteReply.newBuilder()
          .setStatus(ChunkStatus.CHUNK_CHECKSUM_MISMATCH).build());
    }
    if (bad != null) {
      return CompletableFuture.completedFuture(ReplicaWriteReply.newBuilder()
          .setStatus(ChunkStatus.CHUNK_INVALID).setMessage(bad).build());
    }
    byte[] data = req.getDelete() ? new byte[0] : req.getData().toByteArray();
    RecordHeader h = new RecordHeader(req.getVersion(), req.getCrc32C(), data.length, req.getDelete());
    return disk.write(ChunkKeys.encode(req.getId()), req.getId().getPool(), req.getId().getPg(), h, data,
            req.getSync(), false)
        .handle((applied, t) -> t == null
            ? ReplicaWriteReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setEpoch(m.getEpoch()).build()
            : ReplicaWriteReply.newBuilder().setStatus(statusOf(t)).setMessage(cause(t).getMessage()).build());
  }

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
    CompletableFuture.supplyAsync(() -> mapAt(req.getEpoch()), readExecutor)
        .thenCompose(m -> m.getEpoch() < req.getEpoch()
            ? CompletableFuture.completedFuture(MapBarrierReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE)
                .setEpoch(m.getEpoch()).build())
            : admission.drain().orTimeout(BARRIER_WAIT_MILLIS, TimeUnit.MILLISECONDS).thenApply(v ->
                MapBarrierReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setEpoch(m.getEpoch()).build()))
        .exceptionally(t -> MapBarrierReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE).build())
        .thenAccept(r -> reply(out, r));
  }

  // ------------------------------------------------------------------ helpers

  private static WriteChunkReply writeReply(ChunkStatus s, String message, long epoch) {
    return WriteChunkReply.newBuilder().setStatus(s).setMessage(message).setEpoch(epoch).build();
  }

  static Throwable cause(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  static ChunkStatus statusOf(Throwable t) {
    Throwable c = cause(t);
    return c instanceof DiskException de ? de.status() : ChunkStatus.CHUNK_IO_ERROR;
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

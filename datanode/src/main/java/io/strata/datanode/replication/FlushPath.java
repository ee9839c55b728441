package io.strata.datanode.replication;

import io.strata.client.ClusterMapCache;
import io.strata.client.Fence;
import io.strata.client.MapIndex;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.FlushReply;
import io.strata.proto.FlushRequest;
import io.strata.proto.Member;
import io.strata.proto.PoolInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * FLUSH on the primary of some groups (PERFORMANCE.md rule 8): it starts the sync of each local
 * disk that holds one of them and, in the same instant, forwards one flush per other member;
 * each disk joins the next shared WAL sync or, if clean, answers at once. OK when every acting
 * member synced, or at least min_replicas did.
 */
final class FlushPath {
  private final LocalNode node;
  private final PrimaryCheck check;
  private final ReplicaLinks links;

  FlushPath(LocalNode node, PrimaryCheck check, ReplicaLinks links) {
    this.node = node;
    this.check = check;
    this.links = links;
  }

  CompletableFuture<FlushReply> flush(FlushRequest req) {
    ClusterMap now = node.map();
    CompletableFuture<ClusterMap> m = req.getEpoch() <= now.getEpoch() ? CompletableFuture.completedFuture(now)
        : check.mapAt(req.getEpoch());
    return m.thenCompose(x -> flushAt(node.maps().index(), req))
        .exceptionally(t -> FlushReply.newBuilder().setStatus(ChunkStatus.CHUNK_IO_ERROR)
            .setMessage(String.valueOf(WritePath.cause(t))).build());
  }

  private CompletableFuture<FlushReply> flushAt(MapIndex idx, FlushRequest req) {
    ClusterMap m = idx.map();
    if (!req.getForwarded() && req.getEpoch() < ClusterMapCache.placementEpoch(m)) {
      return done(FlushReply.newBuilder().setStatus(ChunkStatus.CHUNK_STALE_EPOCH).setEpoch(m.getEpoch()).build());
    }
    if (!req.getForwarded() && !Fence.admits(m, req.getFence())) {
      return done(FlushReply.newBuilder().setStatus(ChunkStatus.CHUNK_FENCED).setEpoch(m.getEpoch())
          .setMessage(WritePath.fencedWhy(m, req.getFence())).build());
    }
    Set<Integer> myDisks = new HashSet<>();
    Map<String, List<Integer>> forward = new HashMap<>();
    for (int pgNo : req.getPgsList()) {
      for (Member member : idx.acting(req.getPool(), pgNo)) {
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
    List<CompletableFuture<FlushReply>> remote = new ArrayList<>();
    forward.forEach((nodeId, pgs) -> remote.add(links.flush(idx, nodeId, FlushRequest.newBuilder()
        .setEpoch(m.getEpoch()).setPool(req.getPool()).addAllPgs(pgs).setForwarded(true).build())));
    List<CompletableFuture<Void>> syncs = new ArrayList<>();
    for (int d : myDisks) {
      SimulatedDisk disk = node.disk(d);
      if (disk != null) {
        syncs.add(disk.sync());
      }
    }
    List<CompletableFuture<?>> all = new ArrayList<>(syncs);
    all.addAll(remote);
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).handle((v, t) -> {
      boolean localOk = syncs.stream().allMatch(f -> !f.isCompletedExceptionally());
      long failedRemote = remote.stream().filter(f -> f.join().getStatus() != ChunkStatus.CHUNK_OK).count();
      int min = minReplicas(idx, req.getPool());
      ChunkStatus s = localOk && (failedRemote == 0 || (1 + remote.size() - failedRemote) >= min)
          ? ChunkStatus.CHUNK_OK : ChunkStatus.CHUNK_UNAVAILABLE;
      return FlushReply.newBuilder().setStatus(s).setEpoch(m.getEpoch())
          .setMessage(localOk ? failedRemote + " replicas failed to sync" : "local sync failed").build();
    });
  }

  private static int minReplicas(MapIndex idx, int pool) {
    PoolInfo p = idx.pool(pool);
    return p == null ? 1 : p.getMinReplicas();
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}

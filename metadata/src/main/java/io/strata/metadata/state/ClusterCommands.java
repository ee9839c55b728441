package io.strata.metadata.state;

import io.strata.proto.CreatePool;
import io.strata.proto.DatanodeInfo;
import io.strata.proto.DiskInfo;
import io.strata.proto.Heartbeat;
import io.strata.proto.MetaResult;
import io.strata.proto.MetaStatus;
import io.strata.proto.NodeState;
import io.strata.proto.PoolInfo;
import io.strata.proto.RegisterDatanode;
import io.strata.proto.SetNodeState;
import io.strata.proto.RaiseFence;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Datanode registry, liveness transitions and pools. Deterministic: time comes from the entry. */
final class ClusterCommands implements KvCommands.FenceSink {
  static final int MAX_REPLICATION = 5;
  static final int MAX_PG_COUNT = 4096;
  static final int MAX_DISKS_PER_NODE = 64;
  static final int MAX_FENCE_KEY_BYTES = 256;
  static final int MAX_FENCES = 100_000;

  private final ClusterState state;

  ClusterCommands(ClusterState state) {
    this.state = state;
  }

  MetaResult register(ApplyContext ctx, RegisterDatanode r) {
    if (r.getNodeId().isEmpty() || r.getAddress().isEmpty() || r.getDisksCount() == 0
        || r.getDisksCount() > MAX_DISKS_PER_NODE) {
      return Results.error(MetaStatus.META_INVALID_ARGUMENT, "register needs node_id, address and 1.."
          + MAX_DISKS_PER_NODE + " disks");
    }
    DatanodeInfo node = DatanodeInfo.newBuilder()
        .setNodeId(r.getNodeId()).setAddress(r.getAddress()).setDataAddress(r.getDataAddress())
        .setFailureDomain(r.getFailureDomain())
        .setState(NodeState.NODE_UP).addAllDisks(r.getDisksList())
        .setLastHeartbeatMillis(ctx.leaderTimeMillis()).setStateSinceMillis(ctx.leaderTimeMillis())
        .build();
    state.putNodeAndRemap(ctx.batch(), node);
    return Results.ok().setMapEpoch(state.map().getEpoch()).build();
  }

  MetaResult heartbeat(ApplyContext ctx, Heartbeat h) {
    Optional<DatanodeInfo> existing = state.node(h.getNodeId());
    if (existing.isEmpty()) {
      return Results.error(MetaStatus.META_NOT_FOUND, "datanode " + h.getNodeId() + " is not registered");
    }
    DatanodeInfo old = existing.get();
    DatanodeInfo.Builder b = old.toBuilder().setLastHeartbeatMillis(ctx.leaderTimeMillis());
    boolean placementChanged = old.getState() != NodeState.NODE_UP;
    if (placementChanged) {
      b.setState(NodeState.NODE_UP).setStateSinceMillis(ctx.leaderTimeMillis());
    }
    if (h.getDisksCount() > 0) {
      Map<Integer, DiskInfo> oldDisks = new HashMap<>();
      old.getDisksList().forEach(d -> oldDisks.put(d.getDiskIndex(), d));
      for (DiskInfo d : h.getDisksList()) {
        DiskInfo before = oldDisks.get(d.getDiskIndex());
        if (before == null || before.getState() != d.getState()) {
          placementChanged = true;
        }
      }
      b.clearDisks().addAllDisks(h.getDisksList());
    }
    if (placementChanged) {
      state.putNodeAndRemap(ctx.batch(), b.build());
    } else {
      state.putNodeQuietly(ctx.batch(), b.build());
    }
    return Results.ok().setMapEpoch(state.map().getEpoch()).build();
  }

  MetaResult setNodeState(ApplyContext ctx, SetNodeState s) {
    Optional<DatanodeInfo> existing = state.node(s.getNodeId());
    if (existing.isEmpty()) {
      return Results.error(MetaStatus.META_NOT_FOUND, "datanode " + s.getNodeId() + " is not registered");
    }
    if (existing.get().getState() != s.getExpected()) {
      return Results.error(MetaStatus.META_CONDITION_FAILED, "datanode " + s.getNodeId() + " is "
          + existing.get().getState() + ", not " + s.getExpected());
    }
    state.putNodeAndRemap(ctx.batch(), existing.get().toBuilder().setState(s.getState())
        .setStateSinceMillis(ctx.leaderTimeMillis()).build());
    return Results.ok().setMapEpoch(state.map().getEpoch()).build();
  }

  MetaResult createPool(ApplyContext ctx, CreatePool c) {
    if (c.getName().isEmpty() || c.getReplication() < 1 || c.getReplication() > MAX_REPLICATION
        || c.getMinReplicas() < 1 || c.getMinReplicas() > c.getReplication()
        || c.getPgCount() < 1 || c.getPgCount() > MAX_PG_COUNT) {
      return Results.error(MetaStatus.META_INVALID_ARGUMENT, "pool needs a name, replication 1.."
          + MAX_REPLICATION + ", 1 <= min_replicas <= replication, pg_count 1.." + MAX_PG_COUNT);
    }
    int maxId = 0;
    for (PoolInfo p : state.map().getPoolsList()) {
      if (p.getName().equals(c.getName())) {
        return Results.ok().setStatus(MetaStatus.META_ALREADY_EXISTS).setPoolId(p.getPoolId())
            .setMapEpoch(state.map().getEpoch()).setMessage("pool " + c.getName() + " exists").build();
      }
      maxId = Math.max(maxId, p.getPoolId());
    }
    PoolInfo pool = PoolInfo.newBuilder().setPoolId(maxId + 1).setName(c.getName())
        .setReplication(c.getReplication()).setMinReplicas(c.getMinReplicas()).setPgCount(c.getPgCount()).build();
    state.addPoolAndRemap(ctx.batch(), pool);
    return Results.ok().setPoolId(pool.getPoolId()).setMapEpoch(state.map().getEpoch()).build();
  }

  MetaResult raiseFence(ApplyContext ctx, RaiseFence r) {
    String bad = fenceError(List.of(r));
    if (bad != null) {
      return Results.error(MetaStatus.META_INVALID_ARGUMENT, bad);
    }
    state.changeFences(ctx.batch(), List.of(r));
    return Results.ok().setMapEpoch(state.map().getEpoch()).build();
  }

  /** Why these fence changes cannot apply, or null. Checked before anything of a txn is written. */
  @Override
  public String fenceError(List<RaiseFence> changes) {
    for (RaiseFence r : changes) {
      int len = r.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (len == 0 || len > MAX_FENCE_KEY_BYTES) {
        return "fence key must be 1.." + MAX_FENCE_KEY_BYTES + " bytes";
      }
      if (!r.getDrop() && r.getEpoch() == 0) {
        return "fence epoch must be positive";
      }
    }
    if (!changes.isEmpty() && state.fenceCountAfter(changes) > MAX_FENCES) {
      return "more than " + MAX_FENCES + " fences";
    }
    return null;
  }

  /** Applies the fence changes of a transaction whose conditions held (validated before). */
  @Override
  public void applyFences(ApplyContext ctx, List<RaiseFence> changes) {
    if (!changes.isEmpty()) {
      state.changeFences(ctx.batch(), changes);
    }
  }

  @Override
  public long mapEpoch() {
    return state.map().getEpoch();
  }
}

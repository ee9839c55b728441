package io.strata.metadata.state;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.metadata.store.Batch;
import io.strata.metadata.store.MetaStore;
import io.strata.proto.ClusterMap;
import io.strata.proto.DatanodeInfo;
import io.strata.proto.FenceEntry;
import io.strata.proto.PoolInfo;
import io.strata.proto.RaiseFence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cluster map as the state machine holds it: an immutable {@link ClusterMap} kept in memory
 * for queries and persisted as one key. Changes that alter placement or liveness bump the epoch.
 */
public final class ClusterState {
  private static final byte[] MAP_KEY = "map".getBytes(StandardCharsets.UTF_8);

  private volatile ClusterMap map = ClusterMap.getDefaultInstance();

  public ClusterMap map() {
    return map;
  }

  public void load(MetaStore store) {
    byte[] v = store.get(MetaStore.Cf.CLUSTER, MAP_KEY);
    try {
      map = v == null ? ClusterMap.getDefaultInstance() : ClusterMap.parseFrom(v);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored cluster map is corrupt", e);
    }
  }

  public Optional<DatanodeInfo> node(String nodeId) {
    return map.getDatanodesList().stream().filter(n -> n.getNodeId().equals(nodeId)).findFirst();
  }

  /** Replaces one node's record without touching placement (heartbeat timestamps). */
  public void putNodeQuietly(Batch batch, DatanodeInfo node) {
    write(batch, withNode(map.toBuilder(), node).build());
  }

  /** Replaces or adds a node, recomputes placement and bumps the epoch. */
  public void putNodeAndRemap(Batch batch, DatanodeInfo node) {
    ClusterMap.Builder b = withNode(map.toBuilder(), node);
    remap(batch, b);
  }

  public void addPoolAndRemap(Batch batch, PoolInfo pool) {
    remap(batch, map.toBuilder().addPools(pool));
  }

  private void remap(Batch batch, ClusterMap.Builder b) {
    List<io.strata.proto.PlacementGroup> previous = new ArrayList<>(b.getGroupsList());
    b.clearGroups().addAllGroups(Placement.compute(b.getDatanodesList(), b.getPoolsList(), previous));
    b.setEpoch(map.getEpoch() + 1).setPlacementEpoch(map.getEpoch() + 1);
    write(batch, b.build());
  }

  /**
   * Applies fence changes (raise to the max, or drop) and bumps the epoch, not the placement
   * epoch, if anything changed: groups keep their primaries and nobody re-peers.
   */
  public void changeFences(Batch batch, List<RaiseFence> changes) {
    java.util.TreeMap<String, Long> fences = new java.util.TreeMap<>();
    map.getFencesList().forEach(f -> fences.put(f.getKey(), f.getEpoch()));
    boolean changed = false;
    for (RaiseFence r : changes) {
      Long old = fences.get(r.getKey());
      if (r.getDrop()) {
        changed |= fences.remove(r.getKey()) != null;
      } else if (old == null || old < r.getEpoch()) {
        fences.put(r.getKey(), r.getEpoch());
        changed = true;
      }
    }
    if (!changed) {
      return;
    }
    ClusterMap.Builder b = map.toBuilder().clearFences().setEpoch(map.getEpoch() + 1)
        .setPlacementEpoch(placementEpoch(map));
    fences.forEach((k, e) -> b.addFences(FenceEntry.newBuilder().setKey(k).setEpoch(e)));
    write(batch, b.build());
  }

  /** Fence keys the map would hold after {@code changes} (for the capacity check). */
  public int fenceCountAfter(List<RaiseFence> changes) {
    java.util.Set<String> keys = new java.util.HashSet<>();
    map.getFencesList().forEach(f -> keys.add(f.getKey()));
    for (RaiseFence r : changes) {
      if (r.getDrop()) {
        keys.remove(r.getKey());
      } else {
        keys.add(r.getKey());
      }
    }
    return keys.size();
  }

  /** Maps written before placement epochs existed count every epoch as a placement change. */
  public static long placementEpoch(ClusterMap m) {
    return m.getPlacementEpoch() == 0 ? m.getEpoch() : m.getPlacementEpoch();
  }

  private static ClusterMap.Builder withNode(ClusterMap.Builder b, DatanodeInfo node) {
    List<DatanodeInfo> nodes = new ArrayList<>(b.getDatanodesList());
    nodes.removeIf(n -> n.getNodeId().equals(node.getNodeId()));
    nodes.add(node);
    nodes.sort((x, y) -> x.getNodeId().compareTo(y.getNodeId()));
    return b.clearDatanodes().addAllDatanodes(nodes);
  }

  private void write(Batch batch, ClusterMap next) {
    batch.put(MetaStore.Cf.CLUSTER, MAP_KEY, next.toByteArray());
    map = next;
  }
}

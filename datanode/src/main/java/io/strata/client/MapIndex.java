package io.strata.client;

import io.strata.proto.ClusterMap;
import io.strata.proto.DatanodeInfo;
import io.strata.proto.Member;
import io.strata.proto.PlacementGroup;
import io.strata.proto.PoolInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Constant-time lookups over one cluster map (groups, acting members, nodes, pools), built once
 * per map: the data path asks them for every request, and a map holds thousands of groups.
 */
public final class MapIndex {
  private static volatile MapIndex last = new MapIndex(ClusterMap.getDefaultInstance());

  private final ClusterMap map;
  private final Map<Long, PlacementGroup> groups = new HashMap<>();
  private final Map<Long, List<Member>> acting = new HashMap<>();
  private final Map<String, DatanodeInfo> nodes = new HashMap<>();
  private final Map<Integer, PoolInfo> pools = new HashMap<>();

  private MapIndex(ClusterMap m) {
    this.map = m;
    m.getDatanodesList().forEach(n -> nodes.put(n.getNodeId(), n));
    m.getPoolsList().forEach(p -> pools.put(p.getPoolId(), p));
    for (PlacementGroup g : m.getGroupsList()) {
      long k = key(g.getPool(), g.getPg());
      groups.put(k, g);
      acting.put(k, List.copyOf(ClusterMapCache.acting(m, g)));
    }
  }

  /** The index of {@code m}; the last one built is reused while the map stays the same. */
  public static MapIndex of(ClusterMap m) {
    MapIndex i = last;
    if (i.map != m) {
      i = new MapIndex(m);
      last = i;
    }
    return i;
  }

  static long key(int pool, int pg) {
    return ((long) pool << 32) | (pg & 0xffffffffL);
  }

  public ClusterMap map() {
    return map;
  }

  public PlacementGroup group(int pool, int pg) {
    return groups.get(key(pool, pg));
  }

  /** The acting members of a group (first = primary), empty if the group does not exist. */
  public List<Member> acting(int pool, int pg) {
    return acting.getOrDefault(key(pool, pg), List.of());
  }

  public DatanodeInfo node(String nodeId) {
    return nodes.get(nodeId);
  }

  public PoolInfo pool(int poolId) {
    return pools.get(poolId);
  }

  /** The data-transport address of a node, or "" if it has none (or is unknown). */
  public String dataAddress(String nodeId) {
    DatanodeInfo n = nodes.get(nodeId);
    return n == null ? "" : n.getDataAddress();
  }

  public String address(String nodeId) {
    DatanodeInfo n = nodes.get(nodeId);
    return n == null ? "" : n.getAddress();
  }
}

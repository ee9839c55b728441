package io.strata.sim;

import io.strata.client.ClusterMapCache;
import io.strata.common.Json;
import io.strata.datanode.DatanodeServer;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ClusterMap;
import io.strata.proto.DatanodeInfo;
import io.strata.proto.DiskInfo;
import io.strata.proto.PlacementGroup;
import io.strata.proto.PoolInfo;
import java.util.ArrayList;
import java.util.List;

/** The JSON behind {@code GET /health}: leader, peers, datanodes, disks, placement-group states. */
final class HealthReport {
  private HealthReport() {}

  static String render(MiniCluster c) {
    ClusterMap m;
    String mapError = null;
    try {
      m = c.currentMap();
    } catch (RuntimeException e) {
      m = ClusterMap.getDefaultInstance();
      mapError = String.valueOf(e.getMessage());
    }
    int leader = c.metadataLeader();
    int[] pgStates = pgStates(m);
    boolean ok = mapError == null && leader >= 0 && pgStates[1] == 0 && pgStates[2] == 0;
    StringBuilder b = new StringBuilder("{");
    b.append("\"status\":").append(Json.quote(mapError != null || leader < 0 ? "unavailable" : ok ? "ok" : "degraded"));
    b.append(",\"leader\":").append(leader < 0 ? "null" : Json.quote("m" + leader));
    b.append(",\"epoch\":").append(m.getEpoch());
    if (mapError != null) {
      b.append(",\"error\":").append(Json.quote(mapError));
    }
    b.append(",\"peers\":[");
    List<String> peers = new ArrayList<>();
    c.metadataPeers().forEach((id, addr) -> {
      int i = Integer.parseInt(id.substring(1));
      boolean running = c.isMetadataRunning(i);
      peers.add("{\"id\":" + Json.quote(id) + ",\"address\":" + Json.quote(addr) + ",\"running\":" + running
          + ",\"leader\":" + (i == leader) + ",\"appliedIndex\":"
          + (running ? c.metadata(i).lastAppliedIndex() : -1) + "}");
    });
    b.append(String.join(",", peers)).append("],\"datanodes\":[");
    List<String> nodes = new ArrayList<>();
    for (DatanodeInfo n : m.getDatanodesList()) {
      nodes.add(node(c, n));
    }
    b.append(String.join(",", nodes)).append("],\"pools\":[");
    List<String> pools = new ArrayList<>();
    for (PoolInfo p : m.getPoolsList()) {
      pools.add("{\"id\":" + p.getPoolId() + ",\"name\":" + Json.quote(p.getName()) + ",\"replication\":"
          + p.getReplication() + ",\"minReplicas\":" + p.getMinReplicas() + ",\"pgCount\":" + p.getPgCount() + "}");
    }
    b.append(String.join(",", pools)).append("],\"placementGroups\":{\"total\":").append(m.getGroupsCount())
        .append(",\"healthy\":").append(pgStates[0]).append(",\"degraded\":").append(pgStates[1])
        .append(",\"unavailable\":").append(pgStates[2]).append("}}");
    return b.toString();
  }

  private static String node(MiniCluster c, DatanodeInfo n) {
    int idx = c.datanodeIndex(n.getNodeId());
    DatanodeServer server = idx < c.numDatanodes() && c.isDatanodeRunning(idx) ? c.datanode(idx) : null;
    List<String> disks = new ArrayList<>();
    for (DiskInfo d : n.getDisksList()) {
      String faults = idx < c.numDatanodes() ? c.faults(idx, d.getDiskIndex()).describe() : "unknown";
      long used = d.getUsedBytes();
      if (server != null) {
        SimulatedDisk live = server.disk(d.getDiskIndex());
        used = live.usedBytes();
      }
      disks.add("{\"index\":" + d.getDiskIndex() + ",\"state\":" + Json.quote(d.getState().name())
          + ",\"usedBytes\":" + used + ",\"capacityBytes\":" + d.getCapacityBytes()
          + ",\"faults\":" + Json.quote(faults) + "}");
    }
    return "{\"id\":" + Json.quote(n.getNodeId()) + ",\"address\":" + Json.quote(n.getAddress())
        + ",\"state\":" + Json.quote(n.getState().name()) + ",\"running\":" + (server != null)
        + ",\"disks\":[" + String.join(",", disks) + "]}";
  }

  /** [healthy, degraded, unavailable] group counts. */
  static int[] pgStates(ClusterMap m) {
    int[] out = new int[3];
    for (PlacementGroup g : m.getGroupsList()) {
      PoolInfo pool = ClusterMapCache.pool(m, g.getPool()).orElse(PoolInfo.getDefaultInstance());
      int acting = ClusterMapCache.acting(m, g).size();
      if (acting < pool.getMinReplicas() || acting == 0) {
        out[2]++;
      } else if (acting < pool.getReplication()) {
        out[1]++;
      } else {
        out[0]++;
      }
    }
    return out;
  }
}

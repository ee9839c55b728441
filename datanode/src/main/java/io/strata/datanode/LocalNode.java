package io.strata.datanode;

import io.strata.client.ClusterMapCache;
import io.strata.client.PeerChannels;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.datanode.replication.PgTable;
import io.strata.proto.ClusterMap;
import java.util.List;

/** What the chunk service, peering and the scrubber share about this datanode. */
public record LocalNode(String nodeId, List<SimulatedDisk> disks, ClusterMapCache maps, PeerChannels channels,
                        PgTable pgs) {

  public SimulatedDisk disk(int index) {
    return index >= 0 && index < disks.size() ? disks.get(index) : null;
  }

  public ClusterMap map() {
    return maps.current();
  }

  public String address(String otherNodeId) {
    return ClusterMapCache.address(maps.current(), otherNodeId);
  }
}

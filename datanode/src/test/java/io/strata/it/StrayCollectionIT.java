package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.ClusterMapCache;
import io.strata.common.Metrics;
import io.strata.datanode.DatanodeServer;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import io.strata.proto.ClusterMap;
import io.strata.proto.NodeState;
import io.strata.proto.PlacementGroup;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A datanode that was down long enough to be replaced comes back holding copies of groups that
 * moved away: once those groups are whole on their new members, the copies are removed, and
 * every chunk is still readable with its full replication.
 */
class StrayCollectionIT {
  static final int CHUNKS = 200;

  @Test
  void copiesOfGroupsThatMovedAwayAreRemovedOnceTheGroupIsWholeElsewhere() throws Exception {
    try (MiniCluster c = MiniCluster.builder().datanodes(4).pgCount(8).strayCheck(Duration.ofMillis(500)).build()) {
      ChunkClient chunks = c.client().chunks();
      ByteString obj = ByteString.copyFromUtf8("stray");
      for (int i = 0; i < CHUNKS; i++) {
        chunks.write(chunks.chunkId(c.poolId(), obj, i), ByteString.copyFromUtf8("chunk-" + i), false).join();
      }
      Set<Integer> heldBefore = groupsOn(c.datanode(0));
      assertFalse(heldBefore.isEmpty());

      c.killDatanode(0);
      MiniCluster.waitFor(() -> ClusterMapCache.node(c.currentMap(), "dn0").orElseThrow().getState() == NodeState.NODE_OUT,
          Duration.ofSeconds(60), "dn0 to be replaced");
      c.waitHealthy(Duration.ofSeconds(60));
      double removedBefore = Metrics.global().counter("strata_stray_records_removed_total", "").sum();
      c.restartDatanode(0);
      c.waitHealthy(Duration.ofSeconds(60));

      MiniCluster.waitFor(() -> strays(c).isEmpty(), Duration.ofSeconds(60), "dn0 to drop its stray copies");
      assertTrue(Metrics.global().counter("strata_stray_records_removed_total", "").sum() > removedBefore);
      for (int i = 0; i < CHUNKS; i++) {
        ChunkId id = chunks.chunkId(c.poolId(), obj, i);
        assertEquals(ByteString.copyFromUtf8("chunk-" + i), chunks.read(id, 0, 0).join().orElseThrow());
      }
      ClusterMap m = c.currentMap();
      for (PlacementGroup g : m.getGroupsList()) {
        assertEquals(3, ClusterMapCache.acting(m, g).size(), "group " + g.getPg() + " has full replication");
      }
    }
  }

  /** Groups whose records sit on some disk of the node. */
  static Set<Integer> groupsOn(DatanodeServer dn) {
    Set<Integer> out = new HashSet<>();
    for (SimulatedDisk d : dn.disks()) {
      d.groups().forEach(g -> out.add(g[1]));
    }
    return out;
  }

  /** (disk, group) pairs on dn0 whose group does not list that disk of dn0 as a member. */
  static Set<String> strays(MiniCluster c) {
    ClusterMap m = c.currentMap();
    Set<String> out = new HashSet<>();
    for (SimulatedDisk d : c.datanode(0).disks()) {
      for (int[] g : d.groups()) {
        PlacementGroup pg = ClusterMapCache.group(m, g[0], g[1]).orElseThrow();
        boolean member = pg.getMembersList().stream()
            .anyMatch(mem -> mem.getNodeId().equals("dn0") && mem.getDiskIndex() == d.index());
        if (!member) {
          out.add(d.index() + "/" + g[1]);
        }
      }
    }
    return out;
  }
}

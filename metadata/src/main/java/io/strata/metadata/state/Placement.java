package io.strata.metadata.state;

import io.strata.common.Hashing;
import io.strata.proto.DatanodeInfo;
import io.strata.proto.DiskInfo;
import io.strata.proto.DiskState;
import io.strata.proto.Member;
import io.strata.proto.NodeState;
import io.strata.proto.PlacementGroup;
import io.strata.proto.PoolInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Maps each placement group to an ordered set of (datanode, disk) by rendezvous hashing: every
 * eligible disk gets a score from hash(pool, pg, node, disk) and the highest scores win, one per
 * failure domain. Adding or removing one disk moves only the groups that scored it highest.
 * A pure function of its inputs, so apply() may call it.
 */
public final class Placement {
  private Placement() {}

  private record Candidate(String nodeId, String domain, int disk, long score) {}

  public static List<PlacementGroup> compute(List<DatanodeInfo> nodes, List<PoolInfo> pools) {
    List<PlacementGroup> groups = new ArrayList<>();
    for (PoolInfo pool : pools) {
      for (int pg = 0; pg < pool.getPgCount(); pg++) {
        groups.add(group(nodes, pool, pg));
      }
    }
    return groups;
  }

  static PlacementGroup group(List<DatanodeInfo> nodes, PoolInfo pool, int pg) {
    long seed = Hashing.combine(pool.getPoolId(), pg);
    List<Candidate> candidates = new ArrayList<>();
    for (DatanodeInfo node : nodes) {
      if (node.getState() == NodeState.NODE_OUT) {
        continue;
      }
      long nodeHash = Hashing.hash64(node.getNodeId());
      for (DiskInfo disk : node.getDisksList()) {
        if (disk.getState() != DiskState.DISK_OK) {
          continue;
        }
        long score = Hashing.combine(Hashing.combine(seed, nodeHash), disk.getDiskIndex());
        String domain = node.getFailureDomain().isEmpty() ? node.getNodeId() : node.getFailureDomain();
        candidates.add(new Candidate(node.getNodeId(), domain, disk.getDiskIndex(), score));
      }
    }
    candidates.sort(Comparator.comparingLong(Candidate::score).reversed()
        .thenComparing(Candidate::nodeId).thenComparingInt(Candidate::disk));
    PlacementGroup.Builder g = PlacementGroup.newBuilder().setPool(pool.getPoolId()).setPg(pg);
    Set<String> usedDomains = new HashSet<>();
    for (Candidate c : candidates) {
      if (g.getMembersCount() >= pool.getReplication()) {
        break;
      }
      if (usedDomains.add(c.domain())) {
        g.addMembers(Member.newBuilder().setNodeId(c.nodeId()).setDiskIndex(c.disk()));
      }
    }
    return g.build();
  }
}

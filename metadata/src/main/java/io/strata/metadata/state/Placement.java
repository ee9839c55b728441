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
 * Maps each placement group to an ordered set of (datanode, disk). A new group takes the
 * rendezvous-hashing winners: every eligible disk scores hash(pool, pg, node, disk) and the
 * highest scores win, one per failure domain. After that placement is sticky: a member stays
 * while its disk is OK and its node is not OUT, and only a lost member is replaced (in place, by
 * the best-scoring eligible disk in an unused failure domain). So one remap never replaces a
 * member that still holds data just because another disk came back, and every group keeps at
 * least one member with its data through a single failure. A pure function of its inputs
 * (including the previous map), so apply() may call it.
 */
public final class Placement {
  private Placement() {}

  private record Candidate(String nodeId, String domain, int disk, long score) {}

  public static List<PlacementGroup> compute(List<DatanodeInfo> nodes, List<PoolInfo> pools,
                                             List<PlacementGroup> previous) {
    java.util.Map<Long, PlacementGroup> before = new java.util.HashMap<>();
    for (PlacementGroup g : previous) {
      before.put(((long) g.getPool() << 32) | g.getPg(), g);
    }
    List<PlacementGroup> groups = new ArrayList<>();
    for (PoolInfo pool : pools) {
      for (int pg = 0; pg < pool.getPgCount(); pg++) {
        PlacementGroup old = before.get(((long) pool.getPoolId() << 32) | pg);
        groups.add(group(nodes, pool, pg, old == null ? List.of() : old.getMembersList()));
      }
    }
    return groups;
  }

  private static boolean eligible(List<DatanodeInfo> nodes, Member m) {
    for (DatanodeInfo n : nodes) {
      if (n.getNodeId().equals(m.getNodeId())) {
        return n.getState() != NodeState.NODE_OUT && n.getDisksList().stream()
            .anyMatch(d -> d.getDiskIndex() == m.getDiskIndex() && d.getState() == DiskState.DISK_OK);
      }
    }
    return false;
  }

  private static String domainOf(List<DatanodeInfo> nodes, String nodeId) {
    for (DatanodeInfo n : nodes) {
      if (n.getNodeId().equals(nodeId)) {
        return n.getFailureDomain().isEmpty() ? n.getNodeId() : n.getFailureDomain();
      }
    }
    return nodeId;
  }

  static PlacementGroup group(List<DatanodeInfo> nodes, PoolInfo pool, int pg, List<Member> previous) {
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
    // Keep the surviving members in their slots; fill the empty slots with the best candidates.
    Member[] slots = new Member[pool.getReplication()];
    Set<String> usedDomains = new HashSet<>();
    for (int i = 0; i < previous.size() && i < slots.length; i++) {
      Member m = previous.get(i);
      if (eligible(nodes, m) && usedDomains.add(domainOf(nodes, m.getNodeId()))) {
        slots[i] = m;
      }
    }
    int next = 0;
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] != null) {
        continue;
      }
      while (next < candidates.size() && usedDomains.contains(candidates.get(next).domain())) {
        next++;
      }
      if (next == candidates.size()) {
        break;
      }
      Candidate c = candidates.get(next++);
      usedDomains.add(c.domain());
      slots[i] = Member.newBuilder().setNodeId(c.nodeId()).setDiskIndex(c.disk()).build();
    }
    PlacementGroup.Builder g = PlacementGroup.newBuilder().setPool(pool.getPoolId()).setPg(pg);
    for (Member m : slots) {
      if (m != null) {
        g.addMembers(m);
      }
    }
    return g.build();
  }
}

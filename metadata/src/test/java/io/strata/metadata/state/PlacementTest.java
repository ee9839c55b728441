package io.strata.metadata.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.proto.DatanodeInfo;
import io.strata.proto.DiskInfo;
import io.strata.proto.DiskState;
import io.strata.proto.Member;
import io.strata.proto.NodeState;
import io.strata.proto.PlacementGroup;
import io.strata.proto.PoolInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementTest {
  static final PoolInfo POOL = PoolInfo.newBuilder().setPoolId(1).setName("p").setReplication(3)
      .setMinReplicas(2).setPgCount(128).build();

  static DatanodeInfo node(String id, NodeState state, DiskState... disks) {
    DatanodeInfo.Builder b = DatanodeInfo.newBuilder().setNodeId(id).setState(state);
    for (int i = 0; i < disks.length; i++) {
      b.addDisks(DiskInfo.newBuilder().setDiskIndex(i).setState(disks[i]));
    }
    return b.build();
  }

  static List<DatanodeInfo> nodes(int n) {
    List<DatanodeInfo> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(node("dn" + i, NodeState.NODE_UP, DiskState.DISK_OK, DiskState.DISK_OK));
    }
    return out;
  }

  @Test
  void everyGroupGetsThreeMembersInDistinctFailureDomains() {
    List<PlacementGroup> groups = Placement.compute(nodes(5), List.of(POOL), List.of());
    assertEquals(128, groups.size());
    for (PlacementGroup g : groups) {
      Set<String> domains = new HashSet<>();
      g.getMembersList().forEach(m -> domains.add(m.getNodeId()));
      assertEquals(3, domains.size(), "group " + g.getPg());
    }
  }

  @Test
  void isDeterministic() {
    assertEquals(Placement.compute(nodes(6), List.of(POOL), List.of()),
        Placement.compute(nodes(6), List.of(POOL), List.of()));
  }

  @Test
  void spreadsGroupsOverNodes() {
    int[] primaries = new int[6];
    for (PlacementGroup g : Placement.compute(nodes(6), List.of(POOL), List.of())) {
      primaries[Integer.parseInt(g.getMembers(0).getNodeId().substring(2))]++;
    }
    for (int p : primaries) {
      assertTrue(p > 8 && p < 40, "primaries per node " + java.util.Arrays.toString(primaries));
    }
  }

  @Test
  void failedDiskIsReplacedInPlaceAndOthersStay() {
    List<DatanodeInfo> before = nodes(5);
    List<PlacementGroup> first = Placement.compute(before, List.of(POOL), List.of());
    List<DatanodeInfo> after = new ArrayList<>(before);
    after.set(0, node("dn0", NodeState.NODE_UP, DiskState.DISK_FAILED, DiskState.DISK_OK));
    List<PlacementGroup> second = Placement.compute(after, List.of(POOL), first);
    for (int i = 0; i < first.size(); i++) {
      List<Member> a = first.get(i).getMembersList();
      List<Member> b = second.get(i).getMembersList();
      assertEquals(3, b.size());
      for (int slot = 0; slot < 3; slot++) {
        boolean lost = a.get(slot).getNodeId().equals("dn0") && a.get(slot).getDiskIndex() == 0;
        if (!lost) {
          assertEquals(a.get(slot), b.get(slot), "a surviving member keeps its slot");
        } else {
          assertTrue(!(b.get(slot).getNodeId().equals("dn0") && b.get(slot).getDiskIndex() == 0));
        }
      }
    }
  }

  @Test
  void healedDiskDoesNotDisplaceMembersAndDownNodesStayMembers() {
    List<DatanodeInfo> healthy = nodes(4);
    List<PlacementGroup> first = Placement.compute(healthy, List.of(POOL), List.of());
    List<DatanodeInfo> degraded = new ArrayList<>(healthy);
    degraded.set(1, node("dn1", NodeState.NODE_DOWN, DiskState.DISK_OK, DiskState.DISK_OK));
    assertEquals(first, Placement.compute(degraded, List.of(POOL), first), "DOWN is not OUT: no remap");
    List<DatanodeInfo> out = new ArrayList<>(healthy);
    out.set(1, node("dn1", NodeState.NODE_OUT, DiskState.DISK_OK, DiskState.DISK_OK));
    List<PlacementGroup> remapped = Placement.compute(out, List.of(POOL), first);
    remapped.forEach(g -> g.getMembersList().forEach(m -> assertTrue(!m.getNodeId().equals("dn1"))));
    assertEquals(remapped, Placement.compute(healthy, List.of(POOL), remapped), "dn1 back: nothing moves");
  }
}

package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.block.data.DataLayout;
import io.strata.block.volume.Attachment;
import io.strata.block.volume.Attachment.AttachMode;
import io.strata.block.volume.Volume;
import io.strata.block.volume.VolumeService;
import io.strata.client.ClusterMapCache;
import io.strata.datanode.DatanodeServer;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import io.strata.proto.ClusterMap;
import io.strata.proto.PlacementGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Storage-side fencing through NBD. The old holder's writes are stuck in flight (their primary
 * was killed) when another holder takes the volume over exclusively; once the takeover returns,
 * those writes, and every later write or flush of the old holder, are refused by the datanodes
 * (EPERM to its NBD client) and never applied on any disk; the new holder reads the old data and
 * writes its own.
 */
class StorageFencingTest {
  static final int BLOCKS = 64;
  static final int BLOCK = DataLayout.BLOCK_SIZE_BYTES;

  @Test
  void takeoverFencesTheOldHoldersInFlightAndLaterWrites() throws Exception {
    // OUT far away: the dead node's groups fail over to their replicas but are not re-mapped.
    try (MiniCluster cluster = MiniCluster.builder().liveness(Duration.ofSeconds(4), Duration.ofMinutes(5)).build()) {
      VolumeService volumes = new VolumeService(cluster.client(), cluster.poolId());
      try (NbdServer gateway = new NbdServer(volumes, cluster.client(), "127.0.0.1", 0, "gw-old").start()) {
        volumes.create("fenced", BLOCKS * BLOCK);
        byte[] before = pattern(0xa1, BLOCKS * BLOCK);
        byte[] stale = pattern(0x5e, BLOCK);
        try (RawNbdClient old = new RawNbdClient(gateway.port())) {
          old.go("fenced");
          old.request(Nbd.CMD_WRITE, 0, 1, 0, before.length, before);
          assertEquals(0, old.reply().error());
          old.request(Nbd.CMD_FLUSH, 0, 2, 0, 0, null);
          assertEquals(0, old.reply().error());

          Volume v = volumes.get("fenced");
          Map<Long, ChunkId> stuck = blocksWithPrimary(cluster, v, primaryOfBlock(cluster, v, 1));
          int dead = cluster.datanodeIndex(primaryNode(cluster.client().maps().refresh(), stuck.values().iterator().next()));
          cluster.killDatanode(dead);
          for (long b : stuck.keySet()) {  // in flight: retrying against a dead primary
            old.request(Nbd.CMD_WRITE, 0, 100 + b, b * BLOCK, BLOCK, stale);
          }

          Attachment taker = volumes.attach("fenced", "vm-b", AttachMode.EXCLUSIVE, true);
          assertEquals(taker.epoch(), io.strata.client.Fence.current(cluster.client().maps().refresh(),
              Volume.fenceKey(v.id())), "the takeover raised the volume's fence");

          for (int i = 0; i < stuck.size(); i++) {
            RawNbdClient.Reply r = old.reply();
            assertTrue(r.handle() >= 100, "unexpected handle " + r.handle());
            assertEquals(Nbd.EPERM, r.error(), "in-flight write of block " + (r.handle() - 100) + " after the takeover");
          }
          old.request(Nbd.CMD_WRITE, 0, 3, 10L * BLOCK, BLOCK, stale);
          assertEquals(Nbd.EPERM, old.reply().error(), "a later write");
          old.request(Nbd.CMD_WRITE_ZEROES, 0, 4, 11L * BLOCK, BLOCK, null);
          assertEquals(Nbd.EPERM, old.reply().error(), "a later WRITE_ZEROES");
          old.request(Nbd.CMD_FLUSH, 0, 5, 0, 0, null);
          assertEquals(Nbd.EPERM, old.reply().error(), "a FLUSH must not promise the refused writes");
          old.request(Nbd.CMD_READ, 0, 6, 0, BLOCK, null);
          assertArrayEquals(Arrays.copyOf(before, BLOCK), old.reply().data(), "reads are not fenced");

          cluster.restartDatanode(dead);
          cluster.waitHealthy(Duration.ofSeconds(60));
          List<ChunkId> refused = new ArrayList<>(stuck.values());
          refused.add(chunk(cluster, v, 10));
          for (ChunkId id : refused) {
            assertNeverStored(cluster, id, stale);
          }
        }
        try (RawNbdClient taker = new RawNbdClient(gateway.port())) {
          taker.go("fenced@vm-b");
          taker.request(Nbd.CMD_READ, 0, 1, 0, before.length, null);
          assertArrayEquals(before, taker.reply().data(), "the new holder sees none of the refused writes");
          byte[] fresh = pattern(0xc3, BLOCK);
          taker.request(Nbd.CMD_WRITE, 0, 2, 10L * BLOCK, BLOCK, fresh);
          assertEquals(0, taker.reply().error());
          taker.request(Nbd.CMD_FLUSH, 0, 3, 0, 0, null);
          assertEquals(0, taker.reply().error());
          taker.request(Nbd.CMD_READ, 0, 4, 10L * BLOCK, BLOCK, null);
          assertArrayEquals(fresh, taker.reply().data());
        }
      }
    }
  }

  static byte[] pattern(int seed, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (seed + i * 31);
    }
    return b;
  }

  static ChunkId chunk(MiniCluster cluster, Volume v, long block) {
    return v.format().chunk(cluster.poolId(), io.strata.block.data.BlockDevice.pgCount(cluster.client().chunks(),
        cluster.poolId()), v.topLayer(), block);
  }

  static String primaryOfBlock(MiniCluster cluster, Volume v, long block) {
    return primaryNode(cluster.client().maps().refresh(), chunk(cluster, v, block));
  }

  static String primaryNode(ClusterMap m, ChunkId id) {
    PlacementGroup g = ClusterMapCache.group(m, id.getPool(), id.getPg()).orElseThrow();
    return ClusterMapCache.acting(m, g).get(0).getNodeId();
  }

  /** The blocks (never block 10, which the test writes later) whose data chunk has primary {@code node}. */
  static Map<Long, ChunkId> blocksWithPrimary(MiniCluster cluster, Volume v, String node) {
    ClusterMap m = cluster.client().maps().refresh();
    Map<Long, ChunkId> out = new HashMap<>();
    for (long b = 0; b < BLOCKS; b++) {
      ChunkId id = chunk(cluster, v, b);
      if (b != 10 && primaryNode(m, id).equals(node)) {
        out.put(b, id);
      }
    }
    assertFalse(out.isEmpty());
    return out;
  }

  static void assertNeverStored(MiniCluster cluster, ChunkId id, byte[] stale) {
    byte[] key = ChunkKeys.encode(id);
    for (int n = 0; n < cluster.numDatanodes(); n++) {
      DatanodeServer dn = cluster.datanode(n);
      for (SimulatedDisk d : dn.disks()) {
        byte[] stored = d.rawData(key);
        assertFalse(stored != null && Arrays.equals(stored, stale), "refused bytes of block " + id.getIndex()
            + " on " + d.name());
      }
    }
  }
}

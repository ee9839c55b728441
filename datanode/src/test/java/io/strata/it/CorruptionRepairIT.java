package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.ClusterMapCache;
import io.strata.common.Checksums;
import io.strata.common.Metrics;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import io.strata.proto.ClusterMap;
import io.strata.proto.Member;
import io.strata.proto.PlacementGroup;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Flipped bits are detected by CRC, served from a good replica and repaired in place. */
class CorruptionRepairIT {
  static MiniCluster c;

  @BeforeAll
  static void start() throws Exception {
    c = MiniCluster.builder().build();
  }

  @AfterAll
  static void stop() {
    c.close();
  }

  private static SimulatedDisk diskOf(Member m) {
    return c.datanode(c.datanodeIndex(m.getNodeId())).disk(m.getDiskIndex());
  }

  private static List<Member> acting(ChunkId id) {
    ClusterMap m = c.currentMap();
    PlacementGroup g = ClusterMapCache.group(m, id.getPool(), id.getPg()).orElseThrow();
    return ClusterMapCache.acting(m, g);
  }

  /**
   * The client's first read lets the primary skip its own check of a whole chunk; the client's
   * check fails, and its next try makes the primary verify and repair. Both an inline or packed
   * value and a large one kept in an extent.
   */
  @ParameterizedTest
  @ValueSource(ints = {32 * 1024, 1 << 20})
  void corruptPrimaryCopyIsServedFromReplicaAndRepaired(int size) {
    ChunkClient chunks = c.client().chunks();
    byte[] data = new byte[size];
    new Random(3).nextBytes(data);
    ChunkId id = chunks.chunkId(c.poolId(), ByteString.copyFromUtf8("flip-primary-" + size), 0);
    chunks.write(id, ByteString.copyFrom(data), true).join();
    byte[] key = ChunkKeys.encode(id);
    SimulatedDisk primaryDisk = diskOf(acting(id).get(0));
    assertTrue(primaryDisk.corruptAtRest(key, 12345));
    assertNotEquals(Checksums.crc32c(data), Checksums.crc32c(primaryDisk.rawData(key)), "copy is corrupt");

    LongAdder failedChecks = Metrics.global().counter("strata_client_read_checksum_failures_total", "");
    long before = failedChecks.sum();
    assertArrayEquals(data, chunks.read(id, 0, 0).join().orElseThrow().toByteArray());
    assertArrayEquals(data, primaryDisk.rawData(key), "primary copy repaired by the read");
    assertEquals(before + 1, failedChecks.sum(),
        "the first reply came unchecked by the primary and failed the client's check");
  }

  @Test
  void bitFlipsOnReadNeverReachTheClient() {
    ChunkClient chunks = c.client().chunks();
    byte[] data = new byte[8192];
    new Random(4).nextBytes(data);
    ChunkId id = chunks.chunkId(c.poolId(), ByteString.copyFromUtf8("flip-on-read"), 0);
    chunks.write(id, ByteString.copyFrom(data), false).join();
    Member primary = acting(id).get(0);
    var faults = c.faults(c.datanodeIndex(primary.getNodeId()), primary.getDiskIndex());
    faults.bitFlipOnRead(1.0);
    try {
      for (int i = 0; i < 5; i++) {
        assertArrayEquals(data, chunks.read(id, 0, 0).join().orElseThrow().toByteArray());
      }
    } finally {
      faults.heal();
    }
  }

  @Test
  void scrubberRepairsCorruptReplica() {
    ChunkClient chunks = c.client().chunks();
    byte[] data = new byte[16 * 1024];
    new Random(5).nextBytes(data);
    ChunkId id = chunks.chunkId(c.poolId(), ByteString.copyFromUtf8("flip-replica"), 0);
    chunks.write(id, ByteString.copyFrom(data), true).join();
    byte[] key = ChunkKeys.encode(id);
    Member replica = acting(id).get(2);
    SimulatedDisk disk = diskOf(replica);
    assertTrue(disk.corruptAtRest(key, 777));
    assertFalse(disk.read(key).checksumOk());

    int repaired = c.datanode(c.datanodeIndex(replica.getNodeId())).scrubber().scrubAll();
    assertTrue(repaired >= 1, "scrubber repaired " + repaired);
    assertTrue(disk.read(key).checksumOk());
    assertArrayEquals(data, disk.rawData(key));
    assertEquals(Checksums.crc32c(data), Checksums.crc32c(disk.rawData(key)));
  }

  @Test
  void lostDiskIsReplacedAndItsGroupsBackfilledToThreeCopies() {
    ChunkClient chunks = c.client().chunks();
    Acked acked = new Acked();
    Random r = new Random(6);
    for (int i = 0; i < 120; i++) {
      ChunkId id = chunks.chunkId(c.poolId(), ByteString.copyFromUtf8("disk-loss"), i);
      byte[] data = new byte[2048];
      r.nextBytes(data);
      chunks.write(id, ByteString.copyFrom(data), false).join();
      acked.ack(id, data);
    }
    long epochBefore = c.currentMap().getEpoch();
    c.failDisk(0, 0);
    try {
      MiniCluster.waitFor(() -> c.currentMap().getEpoch() > epochBefore && !usesDisk(c.currentMap(), "dn0", 0),
          Duration.ofSeconds(30), "the map to drop dn0/d0");
      MiniCluster.waitFor(() -> DatanodeCrashIT.replicasAgree(c, acked) && allThreeCopies(acked),
          Duration.ofSeconds(60), "backfill to three copies");
      acked.verify(chunks, "");
    } finally {
      c.healDisk(0, 0);
    }
  }

  private static boolean usesDisk(ClusterMap m, String node, int disk) {
    return m.getGroupsList().stream().flatMap(g -> g.getMembersList().stream())
        .anyMatch(x -> x.getNodeId().equals(node) && x.getDiskIndex() == disk);
  }

  private static boolean allThreeCopies(Acked acked) {
    for (ChunkId id : acked.crcs.keySet()) {
      List<Member> members = acting(id);
      if (members.size() != 3) {
        return false;
      }
      for (Member m : members) {
        SimulatedDisk.Stored s = diskOf(m).read(ChunkKeys.encode(id));
        if (s == null || !s.checksumOk()) {
          return false;
        }
      }
    }
    return true;
  }
}

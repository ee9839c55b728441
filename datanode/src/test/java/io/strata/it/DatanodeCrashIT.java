package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.ClusterMapCache;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import io.strata.proto.ClusterMap;
import io.strata.proto.Member;
import io.strata.proto.PlacementGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A datanode killed in the middle of a write stream loses no acknowledged chunk. */
class DatanodeCrashIT {
  @Test
  void killDatanodeMidWriteThenRestartKeepsEveryAcknowledgedChunk() throws Exception {
    try (MiniCluster c = MiniCluster.builder().build()) {
      killMidWriteThenRestart(c);
    }
  }

  /** Four writers, datanode 1 killed and restarted under them; every acknowledged chunk checked. */
  static void killMidWriteThenRestart(MiniCluster c) throws Exception {
    {
      ChunkClient chunks = c.client().chunks();
      Acked acked = new Acked();
      AtomicInteger done = new AtomicInteger();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int tid = t;
        Thread w = new Thread(() -> {
          Random r = new Random(tid);
          for (int i = 0; i < 150; i++) {
            ChunkId id = chunks.chunkId(c.poolId(), ByteString.copyFromUtf8("crash-" + tid), i % 100);
            byte[] data = new byte[4096 + r.nextInt(8192)];
            r.nextBytes(data);
            try {
              chunks.write(id, ByteString.copyFrom(data), false).join();
              acked.ack(id, data);
            } catch (RuntimeException e) {
              acked.failed(id, data);
            }
            done.incrementAndGet();
          }
        });
        writers.add(w);
        w.start();
      }
      MiniCluster.waitFor(() -> done.get() > 150, Duration.ofSeconds(60), "writes in flight");
      c.killDatanode(1);
      MiniCluster.waitFor(() -> done.get() > 400, Duration.ofSeconds(90), "writes continuing without dn1");
      c.restartDatanode(1);
      for (Thread w : writers) {
        w.join(180_000);
      }
      assertEquals(600, done.get());
      assertTrue(acked.crcs.size() >= 300, "most writes were acknowledged: " + acked.crcs.size());
      c.waitHealthy(Duration.ofSeconds(60));
      int checked = acked.verify(chunks, "");
      assertTrue(checked >= 300);

      // After catch-up every acting member of every group holds the same version of each chunk.
      MiniCluster.waitFor(() -> replicasAgree(c, acked), Duration.ofSeconds(60), "replicas to converge");
    }
  }

  @Test
  void datanodeDownPastTheTimeoutIsReplacedAndItsGroupsBackfilled() throws Exception {
    try (MiniCluster c = MiniCluster.builder().datanodes(4)
        .liveness(Duration.ofSeconds(2), Duration.ofSeconds(3)).build()) {
      ChunkClient chunks = c.client().chunks();
      Acked acked = new Acked();
      Random r = new Random(11);
      for (int i = 0; i < 150; i++) {
        ChunkId id = chunks.chunkId(c.poolId(), ByteString.copyFromUtf8("out"), i);
        byte[] data = new byte[3000];
        r.nextBytes(data);
        chunks.write(id, ByteString.copyFrom(data), false).join();
        acked.ack(id, data);
      }
      c.killDatanode(2);
      MiniCluster.waitFor(() -> c.currentMap().getDatanodesList().stream()
          .anyMatch(n -> n.getNodeId().equals("dn2") && n.getState() == io.strata.proto.NodeState.NODE_OUT),
          Duration.ofSeconds(30), "dn2 marked OUT");
      MiniCluster.waitFor(() -> c.currentMap().getGroupsList().stream().allMatch(g -> g.getMembersCount() == 3
              && g.getMembersList().stream().noneMatch(m -> m.getNodeId().equals("dn2"))),
          Duration.ofSeconds(30), "groups re-mapped away from dn2");
      MiniCluster.waitFor(() -> replicasAgree(c, acked), Duration.ofSeconds(60), "backfill to three copies");
      for (ChunkId id : acked.crcs.keySet()) {
        PlacementGroup g = ClusterMapCache.group(c.currentMap(), id.getPool(), id.getPg()).orElseThrow();
        assertEquals(3, ClusterMapCache.acting(c.currentMap(), g).size());
      }
      acked.verify(chunks, "");
    }
  }

  static boolean replicasAgree(MiniCluster c, Acked acked) {
    ClusterMap m = c.currentMap();
    for (ChunkId id : acked.crcs.keySet()) {
      PlacementGroup g = ClusterMapCache.group(m, id.getPool(), id.getPg()).orElseThrow();
      long version = -1;
      for (Member member : ClusterMapCache.acting(m, g)) {
        SimulatedDisk disk = c.datanode(c.datanodeIndex(member.getNodeId())).disk(member.getDiskIndex());
        SimulatedDisk.Stored s = disk.read(ChunkKeys.encode(id));
        if (s == null || !s.checksumOk() || (version >= 0 && s.header().version() != version)) {
          return false;
        }
        version = s.header().version();
      }
    }
    return true;
  }
}

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

package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A randomized schedule of faults (datanode kills and restarts, disk fail-stops and heals, silent
 * corruption, metadata leader kills) interleaved with bursts of writes. The schedule is drawn from
 * one seed, printed first and in every failure message; rerun with
 * {@code -Dstrata.seed=N} to replay the same schedule. (Thread timing is real, so a replay repeats
 * the fault schedule and the data, not every interleaving.) After the storm the cluster is healed
 * and every acknowledged write must read back with its CRC.
 */
class RandomFaultScheduleIT {
  static final int STEPS = 14;
  static final int WRITES_PER_STEP = 40;

  @Test
  void acknowledgedWritesSurviveARandomFaultSchedule() throws Exception {
    long seed = Long.getLong("strata.seed", 20261125L);
    String seedInfo = "[replay with -Dstrata.seed=" + seed + "]";
    System.out.println("RandomFaultScheduleIT seed=" + seed);
    Random rnd = new Random(seed);
    List<String> log = new ArrayList<>();
    try (MiniCluster c = MiniCluster.builder().datanodes(4).seed(seed).build()) {
      ChunkClient chunks = c.client().chunks();
      Acked acked = new Acked();
      for (int step = 0; step < STEPS; step++) {
        String action = fault(c, rnd);
        log.add("step " + step + ": " + action);
        writeBurst(c, chunks, acked, rnd, step);
      }
      // Heal everything and let the cluster converge.
      for (int n = 0; n < c.numDatanodes(); n++) {
        for (int d = 0; d < 2; d++) {
          c.faults(n, d).heal();
        }
        if (!c.isDatanodeRunning(n)) {
          c.restartDatanode(n);
        }
        c.datanode(n).reportNow();
      }
      for (int m = 0; m < c.numMetadata(); m++) {
        if (!c.isMetadataRunning(m)) {
          c.restartMetadata(m);
        }
      }
      acked.dump = id -> {
        System.out.println("DUMP chunk " + id.getIndex() + " pg " + id.getPg() + " acked crc " + acked.crcs.get(id)
            + " uncertain " + acked.uncertain.get(id) + " map members "
            + io.strata.client.ClusterMapCache.group(c.currentMap(), id.getPool(), id.getPg()).orElseThrow().getMembersList());
        for (int n = 0; n < c.numDatanodes(); n++) {
          for (int d = 0; d < 2; d++) {
            var s = c.datanode(n).disk(d).read(io.strata.datanode.disk.ChunkKeys.encode(id));
            if (s != null) {
              System.out.println("DUMP   dn" + n + "/d" + d + " version " + (s.header().version() >>> 32) + ":"
                  + (s.header().version() & 0xffffffffL) + " crc " + s.header().crc32c() + " ok " + s.checksumOk());
            }
          }
        }
      };
      try {
        c.waitHealthy(Duration.ofSeconds(90));
        int checked = acked.verify(chunks, seedInfo + " schedule=" + log);
        assertTrue(checked > STEPS * WRITES_PER_STEP / 4, "too few acknowledged writes " + checked + " " + seedInfo);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("failed " + seedInfo + " schedule=" + log + ": " + e.getMessage(), e);
      }
    }
  }

  private static String fault(MiniCluster c, Random rnd) throws Exception {
    int node = rnd.nextInt(c.numDatanodes());
    int disk = rnd.nextInt(2);
    switch (rnd.nextInt(6)) {
      case 0 -> {
        if (runningDatanodes(c) > 3 || !c.isDatanodeRunning(node)) {
          if (c.isDatanodeRunning(node)) {
            c.killDatanode(node);
            return "kill dn" + node;
          }
        }
        c.restartDatanode(node);
        return "restart dn" + node;
      }
      case 1 -> {
        if (!c.isDatanodeRunning(node)) {
          c.restartDatanode(node);
          return "restart dn" + node;
        }
        c.failDisk(node, disk);
        return "fail dn" + node + "/d" + disk;
      }
      case 2 -> {
        c.healDisk(node, disk);
        return "heal dn" + node + "/d" + disk;
      }
      case 3 -> {
        c.faults(node, disk).bitFlipOnRead(0.3);
        return "bitflip dn" + node + "/d" + disk;
      }
      case 4 -> {
        int leader = c.metadataLeader();
        if (leader >= 0) {
          c.killMetadata(leader);
          Thread.sleep(200);
          c.restartMetadata(leader);
          return "bounce metadata leader m" + leader;
        }
        return "no leader to bounce";
      }
      default -> {
        for (int n = 0; n < c.numDatanodes(); n++) {
          if (!c.isDatanodeRunning(n)) {
            c.restartDatanode(n);
            return "restart dn" + n;
          }
        }
        return "nothing";
      }
    }
  }

  private static int runningDatanodes(MiniCluster c) {
    int n = 0;
    for (int i = 0; i < c.numDatanodes(); i++) {
      if (c.isDatanodeRunning(i)) {
        n++;
      }
    }
    return n;
  }

  private static void writeBurst(MiniCluster c, ChunkClient chunks, Acked acked, Random rnd, int step) {
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    java.util.Set<Integer> inFlight = new java.util.HashSet<>();
    for (int i = 0; i < WRITES_PER_STEP; i++) {
      // Concurrent writes to one chunk have no defined order, so the writes in flight together
      // target distinct chunks; that keeps "the last acknowledged value" well defined.
      int index;
      do {
        index = rnd.nextInt(200);
      } while (!inFlight.add(index));
      ChunkId id = chunks.chunkId(c.poolId(), ByteString.copyFromUtf8("storm"), index);
      byte[] data = new byte[512 + rnd.nextInt(4096)];
      rnd.nextBytes(data);
      pending.add(chunks.write(id, ByteString.copyFrom(data), rnd.nextBoolean()).handle((v, t) -> {
        if (t == null) {
          acked.ack(id, data);
        } else {
          acked.failed(id, data);
        }
        return null;
      }));
      if (pending.size() >= 8) {
        pending.forEach(CompletableFuture::join);
        pending.clear();
        inFlight.clear();
      }
    }
    pending.forEach(CompletableFuture::join);
  }
}

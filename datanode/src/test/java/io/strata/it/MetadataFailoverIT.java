package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetadataClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Metadata survives the loss of its leader, and a lagging peer catches up by install-snapshot. */
class MetadataFailoverIT {
  static KvTxn put(String key, String value) {
    return KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace("it")
        .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value))).build();
  }

  @Test
  void killLeaderDuringWritesLosesNoAcknowledgedEntry() throws Exception {
    try (MiniCluster c = MiniCluster.builder().datanodes(1).replication(1, 1).pgCount(4).build()) {
      MetadataClient meta = c.client().metadata();
      ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int tid = t;
        Thread w = new Thread(() -> {
          for (int i = 0; i < 400 && !stop.get(); i++) {
            String k = "k-" + tid + "-" + i;
            try {
              meta.txn(put(k, "v" + i));
              acked.add(k);
            } catch (RuntimeException e) {
              // not acknowledged: makes no promise either way
            }
          }
        });
        writers.add(w);
        w.start();
      }
      MiniCluster.waitFor(() -> acked.size() >= 100, Duration.ofSeconds(60), "100 acknowledged writes");
      int oldLeader = c.metadataLeader();
      assertTrue(oldLeader >= 0);
      c.killMetadata(oldLeader);
      for (Thread w : writers) {
        w.join(120_000);
      }
      stop.set(true);
      assertTrue(acked.size() >= 400, "writes continued after failover: " + acked.size());
      MiniCluster.waitFor(() -> c.metadataLeader() >= 0 && c.metadataLeader() != oldLeader,
          Duration.ofSeconds(30), "a new leader");
      for (String k : acked) {
        assertTrue(meta.get("it", k.getBytes(StandardCharsets.UTF_8)).isPresent(), "acknowledged " + k + " lost");
      }
      // The old leader comes back and converges on the same data.
      c.restartMetadata(oldLeader);
      long target = c.metadata(c.metadataLeader()).lastAppliedIndex();
      MiniCluster.waitFor(() -> c.metadata(oldLeader).lastAppliedIndex() >= target, Duration.ofSeconds(60),
          "restarted peer catching up");
      for (String k : acked) {
        assertTrue(c.metadata(oldLeader).localGet("it", k.getBytes(StandardCharsets.UTF_8)).isPresent(),
            "restarted peer lacks " + k);
      }
    }
  }

  @Test
  void laggingFollowerCatchesUpByInstallSnapshot() throws Exception {
    try (MiniCluster c = MiniCluster.builder().datanodes(1).replication(1, 1).pgCount(4)
        .snapshotEveryEntries(50).logSegmentBytes(32 << 10).build()) {
      MetadataClient meta = c.client().metadata();
      int leader = c.metadataLeader();
      int follower = (leader + 1) % 3;
      c.killMetadata(follower);
      for (int i = 0; i < 400; i++) {
        meta.txn(put("snap-" + i, "x".repeat(100)));
      }
      long target = c.metadata(leader).lastAppliedIndex();
      c.restartMetadata(follower);
      MiniCluster.waitFor(() -> c.metadata(follower).lastAppliedIndex() >= target, Duration.ofSeconds(90),
          "follower catching up");
      for (int i = 0; i < 400; i += 37) {
        assertEquals("x".repeat(100), new String(c.metadata(follower)
            .localGet("it", ("snap-" + i).getBytes(StandardCharsets.UTF_8)).orElseThrow(), StandardCharsets.UTF_8));
      }
      assertTrue(c.metadata(follower).installedSnapshots() > 0, "the follower caught up by install-snapshot");
    }
  }

  /**
   * Every peer stops and starts again on its data: the log holds no commit index (see
   * RatisSettings), so each peer replays its log over a store that is already further on. The
   * replay must not move the applied index back, and the service must serve and commit again.
   * No snapshot at stop (a killed process takes none), so the replay really happens. The store
   * has no WAL of its own (MetaStore) and a stop does not flush it, as in a crash: what the peers
   * applied lives only in their logs, and the replay has to apply it again.
   */
  @Test
  void wholeServiceRestartsOnItsDataAndCommitsAgain() throws Exception {
    System.setProperty("raft.server.snapshot.trigger-when-stop.enabled", "false");
    try (MiniCluster c = MiniCluster.builder().datanodes(1).replication(1, 1).pgCount(4).build()) {
      MetadataClient meta = c.client().metadata();
      for (int i = 0; i < 200; i++) {
        meta.txn(put("all-" + i, "v" + i));
      }
      long[] appliedBeforeStop = new long[3];
      for (int i = 0; i < 3; i++) {
        appliedBeforeStop[i] = c.metadata(i).lastAppliedIndex();
        c.killMetadata(i);
      }
      for (int i = 0; i < 3; i++) {
        c.restartMetadata(i);
        assertTrue(c.metadata(i).storeIndexAtOpen() < appliedBeforeStop[i], "m" + i + " lost its unflushed state ("
            + c.metadata(i).storeIndexAtOpen() + " on disk, " + appliedBeforeStop[i] + " applied before the stop)");
      }
      MiniCluster.waitFor(() -> c.metadataLeader() >= 0, Duration.ofSeconds(60), "a leader after the restart");
      meta.txn(put("after", "restart"));
      long target = c.metadata(c.metadataLeader()).lastAppliedIndex();
      for (int i = 0; i < 3; i++) {
        int peer = i;
        MiniCluster.waitFor(() -> c.metadata(peer).lastAppliedIndex() >= target, Duration.ofSeconds(60),
            "peer m" + peer + " applying new entries after the restart");
        assertEquals("restart", new String(c.metadata(peer).localGet("it", "after".getBytes(StandardCharsets.UTF_8))
            .orElseThrow(), StandardCharsets.UTF_8));
        for (int k = 0; k < 200; k += 19) {
          assertEquals("v" + k, new String(c.metadata(peer).localGet("it", ("all-" + k).getBytes(StandardCharsets.UTF_8))
              .orElseThrow(), StandardCharsets.UTF_8), "m" + peer + " all-" + k);
        }
      }
    } finally {
      System.clearProperty("raft.server.snapshot.trigger-when-stop.enabled");
    }
  }
}

package io.strata.nfs.durability;

import static io.strata.nfs.client.NfsClient.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.client.ChunkClient;
import io.strata.client.ClusterMapCache;
import io.strata.common.Metrics;
import io.strata.nfs.GatewayFixture;
import io.strata.nfs.NfsConfig;
import io.strata.nfs.NfsGateway;
import io.strata.nfs.client.Attr;
import io.strata.nfs.client.NfsClient;
import io.strata.proto.ClusterMap;
import io.strata.proto.Member;
import io.strata.proto.PlacementGroup;
import io.strata.proto.PoolInfo;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Gateway restarts with clients holding handles, and what COMMIT promises: handles stay valid,
 * the write verifier changes, UNSTABLE data the client sends again survives, committed data
 * survives a crash, and a COMMIT reply means the WAL was synced on at least two replicas.
 */
class RestartTest extends GatewayFixture {

  static byte[] pattern(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static void restart(boolean crash) throws Exception {
    if (crash) {
      gateway.kill();
    } else {
      gateway.close();
    }
    gateway = new NfsGateway(cluster.client(), cluster.poolId(), NfsConfig.ephemeral()).start();
  }

  @Test
  void handlesSurviveACrashAndUnstableDataIsSentAgain() throws Exception {
    byte[] committed = pattern(1 << 20, 1);
    byte[] unstable = pattern(300_000, 2);
    byte[] dir;
    byte[] f;
    byte[] g;
    byte[] verf1;
    try (NfsClient c = client()) {
      dir = freshDir(c, "crash");
      f = c.fh(c.create(dir, "committed", 0644));
      assertEquals(FILE_SYNC, c.write(f, 0, committed, FILE_SYNC).committed());
      g = c.fh(c.create(dir, "unstable", 0644));
      Write w = c.write(g, 0, unstable, UNSTABLE);
      assertEquals(UNSTABLE, w.committed());
      verf1 = w.verf();
    }
    restart(true);
    try (NfsClient c = client()) {
      assertEquals(OK, c.getattrStatus(dir), "handles stay valid across the restart");
      assertArrayEquals(committed, c.read(f, 0, 1 << 20).data(), "FILE_SYNC data survives a crash");
      assertEquals(OK, c.getattrStatus(g), "the file itself was created durably");
      Commit cm = c.commit(g);
      assertEquals(OK, cm.status());
      assertFalse(java.util.Arrays.equals(verf1, cm.verf()), "a new gateway has a new write verifier");
      Write again = c.write(g, 0, unstable, UNSTABLE);
      assertArrayEquals(cm.verf(), again.verf());
      assertArrayEquals(cm.verf(), c.commit(g).verf());
    }
    restart(true);
    try (NfsClient c = client()) {
      assertArrayEquals(unstable, c.read(g, 0, 400_000).data(), "re-sent and committed data survives the next crash");
      assertEquals(unstable.length, c.getattr(g).size());
    }
  }

  @Test
  void aCleanRestartWritesBackEverything() throws Exception {
    byte[] data = pattern(2_500_000, 3);
    byte[] f;
    try (NfsClient c = client()) {
      byte[] dir = freshDir(c, "clean");
      f = c.fh(c.create(dir, "f", 0644));
      for (int off = 0; off < data.length; off += 1 << 20) {
        c.write(f, off, java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + (1 << 20))), UNSTABLE);
      }
    }
    restart(false);
    try (NfsClient c = client()) {
      assertEquals(data.length, c.getattr(f).size());
      byte[] back = new byte[data.length];
      for (int off = 0; off < data.length; off += 1 << 20) {
        byte[] part = c.read(f, off, 1 << 20).data();
        System.arraycopy(part, 0, back, off, part.length);
      }
      assertArrayEquals(data, back);
    }
  }

  @Test
  void commitSyncsTheWalOnAtLeastTwoReplicas() {
    try (NfsClient c = client()) {
      byte[] dir = freshDir(c, "sync");
      Created f = c.create(dir, "f", 0644);
      c.write(f.fh(), 0, "durable?".getBytes(StandardCharsets.UTF_8), UNSTABLE);
      ClusterMap m = cluster.currentMap();
      PoolInfo pool = ClusterMapCache.pool(m, cluster.poolId()).orElseThrow();
      long fsid = f.attr().fsid();
      int pg = ChunkClient.pgFor(pool, com.google.protobuf.ByteString.copyFromUtf8("nfs/" + fsid + "/" + f.attr().fileid()), 0);
      PlacementGroup group = ClusterMapCache.group(m, cluster.poolId(), pg).orElseThrow();
      java.util.List<Member> members = ClusterMapCache.acting(m, group);
      long[] before = syncs(members);
      assertEquals(OK, c.commit(f.fh()).status());
      long[] after = syncs(members);
      int synced = 0;
      for (int i = 0; i < members.size(); i++) {
        synced += after[i] > before[i] ? 1 : 0;
      }
      assertTrue(synced >= 2, "WAL synced on " + synced + " of " + members.size() + " replicas");
      Attr a = c.getattr(f.fh());
      assertEquals(8, a.size());
    }
  }

  static long[] syncs(java.util.List<Member> members) {
    long[] out = new long[members.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Metrics.global().counter("strata_disk_wal_syncs_total{disk=\"" + members.get(i).getNodeId() + "/d"
          + members.get(i).getDiskIndex() + "\"}", "").sum();
    }
    return out;
  }
}

package io.strata.block.e2e;

import static io.strata.block.e2e.Tool.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.block.nbd.NbdServer;
import io.strata.minicluster.MiniCluster;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A datanode dies while fio writes and then verifies through the gateway: the client sees no
 * I/O error and no checksum mismatch (the writes in flight wait for the map to mark the node
 * down, then go to the surviving replicas), and the restarted node catches up.
 */
class DatanodeKillUnderFioTest {
  @Test
  void fioVerifyRunSurvivesADatanodeKill() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().build();
         NbdServer server = new NbdServer(cluster.client(), cluster.poolId(), "127.0.0.1", 0).start()) {
      server.volumes().create("kill-vol", 64L << 20);
      String uri = "nbd://127.0.0.1:" + server.port() + "/kill-vol";
      CompletableFuture<Tool.Result> fio = Tool.background("fio", "--name=killrun", "--ioengine=nbd", "--uri=" + uri,
          "--rw=randwrite", "--bs=4k", "--iodepth=16", "--size=24m", "--verify=crc32c", "--verify_fatal=1",
          "--fsync=128");
      MiniCluster.waitFor(() -> fio.isDone() || server.volumes().info("kill-vol").usedBytes() > (4L << 20),
          Duration.ofSeconds(120), "fio to be writing");
      assertFalse(fio.isDone(), () -> "fio ended before the kill: " + describe(fio));
      cluster.killDatanode(1);
      Tool.Result r = fio.get(Tool.TIMEOUT_SECONDS + 30, TimeUnit.SECONDS);
      assertEquals(0, r.exit(), () -> r.output() + "\ngateway request counters:\n" + Tool.nbdRequestCounters());
      assertTrue(!r.output().contains("verify: bad") && r.output().contains("err= 0"), r.output());
      cluster.restartDatanode(1);
      cluster.waitHealthy(Duration.ofSeconds(60));
      // A second pass reads everything back through the gateway with all three nodes up.
      ok("fio", "--name=recheck", "--ioengine=nbd", "--uri=" + uri, "--rw=randread", "--bs=4k",
          "--iodepth=16", "--size=24m", "--verify=crc32c", "--verify_only", "--verify_fatal=1");
    }
  }

  private static String describe(CompletableFuture<Tool.Result> f) {
    try {
      return f.get().output();
    } catch (Exception e) {
      return e.toString();
    }
  }
}

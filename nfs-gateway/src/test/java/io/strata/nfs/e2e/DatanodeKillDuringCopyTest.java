package io.strata.nfs.e2e;

import static io.strata.nfs.e2e.Tool.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.minicluster.MiniCluster;
import io.strata.nfs.GatewayFixture;
import io.strata.nfs.client.NfsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A datanode dies in the middle of an nfs-cp: the copy completes and the checksum matches. */
class DatanodeKillDuringCopyTest extends GatewayFixture {
  static final long BYTES = 128L << 20;

  @TempDir
  Path tmp;

  static String url(String path) {
    return "nfs://127.0.0.1/t/" + path + "?version=3&nfsport=" + gateway.nfsPort() + "&mountport=" + gateway.mountPort();
  }

  @Test
  void copyCompletesAndReadsBackIdenticalWithANodeDown() throws Exception {
    Path in = Tool.randomFile(tmp, "in.bin", BYTES, 99);
    String sum = Tool.sha256(in);
    Process cp = Tool.start(tmp.resolve("cp.log"), "nfs-cp", in.toString(), url("victim.bin"));
    try (NfsClient c = client()) {
      byte[] root = c.mount("/t");
      MiniCluster.waitFor(() -> {
        NfsClient.Lookup l = c.lookup(root, "victim.bin");
        return l.status() == 0 && l.attr().size() > BYTES / 4;
      }, Duration.ofSeconds(120), "a quarter of the copy");
    }
    cluster.killDatanode(1);
    System.out.println("killed datanode 1 during the copy");
    assertTrue(cp.waitFor(300, TimeUnit.SECONDS), "nfs-cp finished");
    assertEquals(0, cp.exitValue(), "nfs-cp: " + Files.readString(tmp.resolve("cp.log")));
    Path out = tmp.resolve("out.bin");
    ok("nfs-cp", url("victim.bin"), out.toString());
    assertEquals(sum, Tool.sha256(out), "read back with the node still down");
    cluster.restartDatanode(1);
    cluster.waitHealthy(Duration.ofSeconds(120));
    Files.delete(out);
    ok("nfs-cp", url("victim.bin"), out.toString());
    assertEquals(sum, Tool.sha256(out), "read back after the node returned");
  }
}

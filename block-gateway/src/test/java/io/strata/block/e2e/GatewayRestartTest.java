package io.strata.block.e2e;

import static io.strata.block.e2e.Tool.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.block.nbd.NbdServer;
import io.strata.block.volume.VolumeService;
import io.strata.minicluster.MiniCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The block gateway is stopped in the middle of a qemu-img convert and a new one starts on the
 * same port: qemu's NBD client reconnects (reconnect-delay), resends what was in flight, the
 * convert finishes without error and qemu-img compare finds every byte in place.
 */
class GatewayRestartTest {
  static final long BYTES = 192L << 20;

  @Test
  void qemuReconnectsAfterAGatewayRestartAndTheDataIsIntact(@TempDir Path dir) throws Exception {
    Path src = Images.random(dir.resolve("src.img"), BYTES, 31, 7);
    try (MiniCluster cluster = MiniCluster.builder().build()) {
      VolumeService volumes = new VolumeService(cluster.client(), cluster.poolId());
      volumes.create("moving", BYTES);
      for (int n = 0; n < cluster.numDatanodes(); n++) {  // slow disks, so the convert is surely mid-way at the restart
        for (int d = 0; d < 2; d++) {
          cluster.faults(n, d).bandwidth(16L << 20);
        }
      }
      double before = written();
      NbdServer first = new NbdServer(volumes, cluster.client(), "127.0.0.1", 0, "gw-first").start();
      int port = first.port();
      String target = "driver=nbd,server.type=inet,server.host=127.0.0.1,server.port=" + port
          + ",export=moving,reconnect-delay=60";
      CompletableFuture<Tool.Result> convert = Tool.background("qemu-img", "convert", "-p", "-n", "-f", "raw",
          "--target-image-opts", src.toString(), target);
      NbdServer second = null;
      try {
        MiniCluster.waitFor(() -> written() - before > BYTES / 4 || convert.isDone(),
            Duration.ofSeconds(120), "the convert to be a quarter through");
        assertTrue(!convert.isDone(), "the convert finished before the restart; make the image larger");
        // Full speed again before the restart: the restart is the one disturbance under test, and
        // on a slow machine throttled disks would add queueing the convert's retries wait behind.
        for (int n = 0; n < cluster.numDatanodes(); n++) {
          for (int d = 0; d < 2; d++) {
            cluster.faults(n, d).heal();
          }
        }
        first.close();
        Thread.sleep(1_000);  // clients see a refused connection, not just a reset
        second = new NbdServer(volumes, cluster.client(), "127.0.0.1", port, "gw-second").start();
        Tool.Result r = convert.get(Tool.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), () -> "qemu-img convert across the restart failed:\n" + r.output()
            + "\ngateway request counters:\n" + Tool.nbdRequestCounters());
        ok("qemu-img", "compare", "-f", "raw", "-F", "raw", src.toString(),
            "nbd://127.0.0.1:" + port + "/moving");
      } finally {
        first.close();
        if (second != null) {
          second.close();
        }
      }
    }
  }

  /** Bytes NBD WRITEs have stored so far, from the gateway's metrics. */
  private static double written() {
    return io.strata.common.Metrics.global().counter("strata_nbd_bytes_total{command=\"1\"}",
        "bytes moved by NBD READ (0) and WRITE (1)").sum();
  }
}

package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.block.volume.VolumeService;
import io.strata.minicluster.MiniCluster;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The watchdog: a request that is not answered within the timeout gets EIO instead of hanging the
 * client, and its late completion sends nothing (a second reply would desynchronise the stream).
 * Slow disks stand in for a lost future.
 */
class RequestTimeoutTest {
  @Test
  void aStuckRequestIsAnsweredEioOnceAndItsLateCompletionIsDropped() throws Exception {
    NbdLimits limits = new NbdLimits(16, 4 << 20, 8 << 20, 1_000);
    try (MiniCluster cluster = MiniCluster.builder().build()) {
      VolumeService volumes = new VolumeService(cluster.client(), cluster.poolId());
      volumes.create("slow", 1 << 20);
      try (NbdServer server = new NbdServer(volumes, cluster.client(), "127.0.0.1", 0, "timeout-gw", limits).start();
           RawNbdClient c = new RawNbdClient(server.port())) {
        c.go("slow");
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 7);
        c.request(Nbd.CMD_WRITE, 0, 1, 0, 4096, data);
        assertEquals(0, c.reply().error());
        setLatency(cluster, 4_000_000);
        c.request(Nbd.CMD_READ, 0, 2, 0, 4096, null);
        RawNbdClient.Reply r = c.reply();
        assertEquals(2, r.handle());
        assertEquals(Nbd.EIO, r.error(), "answered by the watchdog");
        c.socket.setSoTimeout(6_000);
        assertThrows(SocketTimeoutException.class, () -> c.in.readByte(), "the late completion sends nothing");
        setLatency(cluster, 0);
        c.socket.setSoTimeout(60_000);
        c.request(Nbd.CMD_READ, 0, 3, 0, 4096, null);
        r = c.reply();
        assertEquals(3, r.handle(), "the stream is still in step");
        assertArrayEquals(data, r.data());
      }
    }
  }

  private static void setLatency(MiniCluster cluster, long micros) {
    for (int n = 0; n < cluster.numDatanodes(); n++) {
      for (int d = 0; d < 2; d++) {
        cluster.faults(n, d).slow(micros);
      }
    }
  }
}

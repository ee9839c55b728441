package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.minicluster.MiniCluster;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Invariant 1 through the NBD front-end: flushed writes survive the loss of one datanode. */
class DatanodeLossTest {
  static final int MIB = 1 << 20;

  static void writeAll(RawNbdClient c, byte[] image, int from, int to, long firstHandle) throws Exception {
    int n = 0;
    for (int off = from; off < to; off += 64 * 1024, n++) {
      byte[] part = java.util.Arrays.copyOfRange(image, off, off + 64 * 1024);
      c.request(Nbd.CMD_WRITE, 0, firstHandle + n, off, part.length, part);
    }
    for (int i = 0; i < n; i++) {
      assertEquals(0, c.reply().error());
    }
    c.request(Nbd.CMD_FLUSH, 0, firstHandle + n, 0, 0, null);
    assertEquals(0, c.reply().error());
  }

  static byte[] readAll(RawNbdClient c, int size) throws Exception {
    byte[] out = new byte[size];
    c.request(Nbd.CMD_READ, 0, 999_999, 0, size, null);
    RawNbdClient.Reply r = c.reply();
    assertEquals(0, r.error());
    System.arraycopy(r.data(), 0, out, 0, size);
    return out;
  }

  @Test
  void flushedDataSurvivesADatanodeKillAndWritesContinue() throws Exception {
    long seed = 77;
    byte[] image = new byte[4 * MIB];
    new Random(seed).nextBytes(image);
    try (MiniCluster cluster = MiniCluster.builder().build();
         NbdServer server = new NbdServer(cluster.client(), cluster.poolId(), "127.0.0.1", 0).start()) {
      server.volumes().create("durable", image.length);
      try (RawNbdClient c = new RawNbdClient(server.port())) {
        c.go("durable");
        writeAll(c, image, 0, 2 * MIB, 1);
        cluster.killDatanode(1);
        assertArrayEquals(java.util.Arrays.copyOf(image, 2 * MIB), java.util.Arrays.copyOf(readAll(c, 4 * MIB), 2 * MIB),
            "seed " + seed + ": flushed data readable with dn1 down");
        writeAll(c, image, 2 * MIB, 4 * MIB, 1000);
        assertArrayEquals(image, readAll(c, 4 * MIB), "seed " + seed + ": writes continue with dn1 down");
        // Reading again after restarting dn1 is not checked here: see DatanodeRestartRepro.
      }
    }
  }
}

package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.block.volume.VolumeError;
import io.strata.block.volume.VolumeException;
import io.strata.block.volume.VolumeService;
import io.strata.minicluster.MiniCluster;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server through a raw socket: negotiation errors, hostile requests, pipelining, restart. */
class NbdServerTest {
  static MiniCluster cluster;
  static NbdServer server;
  static VolumeService volumes;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniCluster.builder().build();
    server = new NbdServer(cluster.client(), cluster.poolId(), "127.0.0.1", 0).start();
    volumes = server.volumes();
    volumes.create("raw", 8L << 20);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void negotiationErrorsAreRepliesNotCrashes() throws Exception {
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.option(4242, new byte[3]);
      assertEquals(Nbd.REP_ERR_UNSUP, c.optionReply().type());
      c.option(Nbd.OPT_STARTTLS, new byte[0]);
      assertEquals(Nbd.REP_ERR_UNSUP, c.optionReply().type());
      c.option(Nbd.OPT_LIST, new byte[1]);
      assertEquals(Nbd.REP_ERR_INVALID, c.optionReply().type());
      c.option(Nbd.OPT_GO, new byte[] {0, 0, 0, 9, 'x'});
      assertEquals(Nbd.REP_ERR_INVALID, c.optionReply().type());
      c.option(Nbd.OPT_GO, RawNbdClient.goPayload("no-such-volume"));
      assertEquals(Nbd.REP_ERR_UNKNOWN, c.optionReply().type());
      c.option(Nbd.OPT_INFO, RawNbdClient.goPayload("bad/name"));
      assertEquals(Nbd.REP_ERR_UNKNOWN, c.optionReply().type());
      c.option(Nbd.OPT_GO, new byte[Nbd.MAX_OPTION_BYTES + 1]);
      assertEquals(Nbd.REP_ERR_TOO_BIG, c.optionReply().type());
      assertEquals(8L << 20, c.go("raw"), "the connection is still usable after every refusal");
    }
  }

  @Test
  void abortIsAcknowledgedThenClosed() throws Exception {
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.option(Nbd.OPT_ABORT, new byte[0]);
      assertEquals(Nbd.REP_ACK, c.optionReply().type());
      assertThrows(EOFException.class, () -> c.in.readByte());
    }
  }

  @Test
  void pipelinedRequestsAreAllAnsweredByHandle() throws Exception {
    Random rnd = new Random(5);
    Map<Long, byte[]> written = new HashMap<>();
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.go("raw");
      for (long h = 1; h <= 64; h++) {
        byte[] data = new byte[h % 3 == 0 ? 4096 : 1000 + (int) h];
        rnd.nextBytes(data);
        written.put(h, data);
        c.request(Nbd.CMD_WRITE, h % 5 == 0 ? Nbd.CMD_FLAG_FUA : 0, h, h * 65536, data.length, data);
      }
      Set<Long> answered = new HashSet<>();
      for (int i = 0; i < 64; i++) {
        RawNbdClient.Reply r = c.reply();
        assertEquals(0, r.error());
        assertTrue(answered.add(r.handle()), "one reply per handle");
      }
      c.request(Nbd.CMD_FLUSH, 0, 100, 0, 0, null);
      assertEquals(new RawNbdClient.Reply(0, 100, null), c.reply());
      for (long h = 1; h <= 64; h++) {
        c.request(Nbd.CMD_READ, 0, 1000 + h, h * 65536, written.get(h).length, null);
      }
      for (int i = 0; i < 64; i++) {
        RawNbdClient.Reply r = c.reply();
        assertArrayEquals(written.get(r.handle() - 1000), r.data(), "read of handle " + r.handle());
      }
    }
  }

  @Test
  void hostileRequestsGetErrorsAndTheConnectionSurvives() throws Exception {
    long size = 8L << 20;
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.go("raw");
      c.request(Nbd.CMD_READ, 0, 1, size - 100, 4096, null);
      assertEquals(Nbd.EINVAL, c.reply().error());
      c.request(Nbd.CMD_READ, 0, 2, 0, Nbd.MAX_PAYLOAD_BYTES + 1L, null);
      assertEquals(Nbd.EINVAL, c.reply().error());
      c.request(Nbd.CMD_WRITE, 0, 3, size, 512, new byte[512]);
      assertEquals(Nbd.ENOSPC, c.reply().error());
      c.request(Nbd.CMD_WRITE, 0, 4, 0, Nbd.MAX_PAYLOAD_BYTES + 4096L, new byte[Nbd.MAX_PAYLOAD_BYTES + 4096]);
      assertEquals(Nbd.EOVERFLOW, c.reply().error());
      c.request(Nbd.CMD_WRITE_ZEROES, 0, 5, -4096, 4096, null);
      assertEquals(Nbd.ENOSPC, c.reply().error());
      c.request(77, 0, 6, 0, 0, null);
      assertEquals(Nbd.EINVAL, c.reply().error());
      c.request(Nbd.CMD_READ, 0, 7, 0, 512, null);
      RawNbdClient.Reply ok = c.reply();
      assertEquals(0, ok.error());
      assertEquals(512, ok.data().length);
    }
  }

  @Test
  void badRequestMagicClosesOnlyThatConnection() throws Exception {
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.go("raw");
      c.out.writeLong(0xdeadbeefL);
      c.out.write(new byte[40]);
      c.out.flush();
      assertThrows(IOException.class, () -> {
        c.in.readByte();
        throw new SocketException("still open");
      });
    }
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      assertEquals(8L << 20, c.go("raw"), "the server still serves");
    }
  }

  @Test
  void servedVolumeCannotBeDeletedAndIsDetachedAfterwards() throws Exception {
    volumes.create("busy", 1 << 20);
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.go("busy");
      assertEquals(VolumeError.ATTACHED, assertThrows(VolumeException.class, () -> volumes.delete("busy", false)).error());
      c.request(Nbd.CMD_DISC, 0, 1, 0, 0, null);
      assertThrows(EOFException.class, () -> c.in.readByte());
    }
    MiniCluster.waitFor(() -> !volumes.get("busy").attached(), java.time.Duration.ofSeconds(10), "detach");
    volumes.delete("busy", false);
  }

  @Test
  void dataSurvivesAGatewayRestart() throws Exception {
    volumes.create("restart", 4L << 20);
    byte[] data = new byte[3 * 4096 + 17];
    new Random(9).nextBytes(data);
    try (NbdServer first = new NbdServer(cluster.client(), cluster.poolId(), "127.0.0.1", 0).start();
         RawNbdClient c = new RawNbdClient(first.port())) {
      c.go("restart");
      c.request(Nbd.CMD_WRITE, 0, 1, 5000, data.length, data);
      assertEquals(0, c.reply().error());
      c.request(Nbd.CMD_FLUSH, 0, 2, 0, 0, null);
      assertEquals(0, c.reply().error());
    }
    try (NbdServer second = new NbdServer(cluster.client(), cluster.poolId(), "127.0.0.1", 0).start();
         RawNbdClient c = new RawNbdClient(second.port())) {
      c.go("restart");
      c.request(Nbd.CMD_READ, 0, 3, 5000, data.length, null);
      assertArrayEquals(data, c.reply().data());
    }
  }

  @Test
  void readOnlyExportRefusesMutations() throws Exception {
    volumes.create("ro-vol", 1 << 20);
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.option(Nbd.OPT_GO, RawNbdClient.goPayload("ro-vol@ro"));
      int flags = 0;
      for (RawNbdClient.OptionReply r = c.optionReply(); r.type() != Nbd.REP_ACK; r = c.optionReply()) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r.data());
        if (b.getShort() == Nbd.INFO_EXPORT) {
          b.getLong();
          flags = b.getShort();
        }
      }
      assertTrue((flags & Nbd.TFLAG_READ_ONLY) != 0);
      c.request(Nbd.CMD_WRITE, 0, 1, 0, 512, new byte[512]);
      assertEquals(Nbd.EPERM, c.reply().error());
      c.request(Nbd.CMD_TRIM, 0, 2, 0, 4096, null);
      assertEquals(Nbd.EPERM, c.reply().error());
      c.request(Nbd.CMD_READ, 0, 3, 0, 512, null);
      assertEquals(0, c.reply().error());
      assertEquals(io.strata.block.volume.Attachment.AttachMode.READ_ONLY,
          volumes.get("ro-vol").attachments().get(0).mode());
    }
  }

  @Test
  void exclusiveTakeoverFencesTheGateway() throws Exception {
    volumes.create("fenced", 1 << 20);
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.go("fenced");
      c.request(Nbd.CMD_WRITE, 0, 1, 0, 4096, new byte[4096]);
      assertEquals(0, c.reply().error());
      volumes.attach("fenced", "vm-42", io.strata.block.volume.Attachment.AttachMode.EXCLUSIVE, true);
      c.request(Nbd.CMD_FLUSH, 0, 2, 0, 0, null);
      assertEquals(Nbd.EPERM, c.reply().error(), "no FLUSH is acknowledged after a takeover");
      c.request(Nbd.CMD_WRITE, 0, 3, 0, 4096, new byte[4096]);
      assertEquals(Nbd.EPERM, c.reply().error());
      c.request(Nbd.CMD_READ, 0, 4, 0, 4096, null);
      assertEquals(0, c.reply().error(), "reads stay allowed");
    }
  }
}

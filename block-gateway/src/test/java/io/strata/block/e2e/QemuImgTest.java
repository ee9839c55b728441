package io.strata.block.e2e;

import static io.strata.block.e2e.Tool.assertContains;
import static io.strata.block.e2e.Tool.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.block.nbd.NbdServer;
import io.strata.block.nbd.RawNbdClient;
import io.strata.block.volume.VolumeService;
import io.strata.minicluster.MiniCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qemu-img convert/compare with nbd:// URIs, snapshots and clones compared byte for byte by
 * qemu-img, thin provisioning seen through used bytes around real-client TRIM and WRITE_ZEROES,
 * and a resize seen by a reconnecting client while an old connection stays open.
 */
class QemuImgTest {
  static final long MIB = 1 << 20;
  static MiniCluster cluster;
  static NbdServer server;
  static VolumeService volumes;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniCluster.builder().build();
    server = new NbdServer(cluster.client(), cluster.poolId(), "127.0.0.1", 0).start();
    volumes = server.volumes();
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

  static String uri(String volume) {
    return "nbd://127.0.0.1:" + server.port() + "/" + volume;
  }

  /** qemu-img compare: exit 0 = identical, 1 = different; anything else is a failure. */
  static boolean same(String a, String b) throws Exception {
    Tool.Result r = Tool.run("qemu-img", "compare", "-f", "raw", "-F", "raw", a, b);
    assertTrue(r.exit() == 0 || r.exit() == 1, "qemu-img compare failed:\n" + r.output());
    return r.exit() == 0;
  }

  static void convert(Path from, String toUri) throws Exception {
    ok("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", from.toString(), toUri);
  }

  @Test
  void convertInAndOutThenCompare(@TempDir Path dir) throws Exception {
    volumes.create("conv", 40 * MIB);
    Path src = Images.random(dir.resolve("src.img"), 40 * MIB, 11, 5);
    convert(src, uri("conv"));
    assertTrue(same(src.toString(), uri("conv")), "the volume equals the image it was converted from");
    Path back = dir.resolve("back.img");
    ok("qemu-img", "convert", "-f", "raw", "-O", "raw", uri("conv"), back.toString());
    assertTrue(same(src.toString(), back.toString()));
    Path changed = Images.overwrite(src, dir.resolve("changed.img"), 7 * MIB + 513, 4096, 12);
    assertTrue(!same(changed.toString(), uri("conv")), "compare notices a 4 KiB difference");
  }

  @Test
  void snapshotsAndClonesMatchByteForByte(@TempDir Path dir) throws Exception {
    volumes.create("layered", 24 * MIB);
    Path a = Images.random(dir.resolve("a.img"), 24 * MIB, 21, 4);
    convert(a, uri("layered"));
    server.snapshot("layered", "s1");
    Path b = Images.overwrite(a, dir.resolve("b.img"), 3 * MIB, (int) (2 * MIB), 22);
    convert(b, uri("layered"));  // rewrites everything; zero areas become WRITE_ZEROES
    ok("qemu-io", "-f", "raw", "-c", "write -z 10M 1M", "-c", "write -z 16M 1M", uri("layered"));
    Path bz = Images.zero(Images.zero(b, dir.resolve("bz.img"), 10 * MIB, (int) MIB), dir.resolve("bz.img"), 16 * MIB, (int) MIB);
    volumes.cloneOf("layered", "s1", "clone1");
    volumes.cloneOf("layered", "s1", "clone2");
    assertTrue(same(a.toString(), uri("clone1")), "a clone shows the snapshot");
    assertTrue(same(bz.toString(), uri("layered")), "the volume shows the writes after the snapshot");
    assertTrue(!same(uri("layered"), uri("clone1")));
    Path c = Images.overwrite(a, dir.resolve("c.img"), 20 * MIB, (int) MIB, 23);
    convert(c, uri("clone1"));
    assertTrue(same(c.toString(), uri("clone1")), "a clone takes its own writes");
    assertTrue(same(a.toString(), uri("clone2")), "without touching the snapshot or its other clones");
    assertTrue(same(bz.toString(), uri("layered")));
  }

  @Test
  void usedBytesFollowWritesTrimAndWriteZeroes() throws Exception {
    volumes.create("thin", 64 * MIB);
    assertEquals(0, volumes.info("thin").usedBytes(), "thin: nothing stored yet");
    ok("qemu-io", "-f", "raw", "-c", "write -P 0x11 0 32M", "-c", "flush", uri("thin"));
    assertEquals(32 * MIB, volumes.info("thin").usedBytes());
    ok("qemu-io", "-f", "raw", "-c", "discard 0 16M", "-c", "flush", uri("thin"));
    awaitUsed("thin", 16 * MIB);
    ok("qemu-io", "-f", "raw", "-c", "write -z 16M 8M", "-c", "flush", uri("thin"));
    awaitUsed("thin", 8 * MIB);
    ok("qemu-io", "-f", "raw", "-c", "read -P 0 0 24M", "-c", "read -P 0x11 24M 8M", "-c", "read -P 0 32M 32M",
        uri("thin"));
  }

  /** Bits are cleared after the TRIM's reply (an extra bit only over-counts), so allow a moment. */
  static void awaitUsed(String volume, long expected) {
    MiniCluster.waitFor(() -> volumes.info(volume).usedBytes() == expected, Duration.ofSeconds(30),
        volume + " to use " + expected + " bytes (now " + volumes.info(volume).usedBytes() + ")");
  }

  @Test
  void aReconnectingClientSeesTheNewSize() throws Exception {
    volumes.create("grow", 16 * MIB);
    try (RawNbdClient held = new RawNbdClient(server.port())) {
      assertEquals(16 * MIB, held.go("grow"), "an open connection keeps the volume served while it grows");
      assertEquals("16777216", ok("nbdinfo", "--size", uri("grow")).trim());
      volumes.resize("grow", 48 * MIB);
      assertEquals("50331648", ok("nbdinfo", "--size", uri("grow")).trim(), "the next handshake has the new size");
      assertContains(ok("qemu-img", "info", uri("grow")), "50331648 bytes");
      ok("qemu-io", "-f", "raw", "-c", "write -P 0x7e 40M 1M", "-c", "read -P 0x7e 40M 1M", "-c", "read -P 0 16M 24M",
          uri("grow"));
    }
  }
}

package io.strata.block.e2e;

import static io.strata.block.e2e.Tool.assertContains;
import static io.strata.block.e2e.Tool.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.block.nbd.NbdServer;
import io.strata.block.volume.VolumeService;
import io.strata.minicluster.MiniCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qemu-img, qemu-io, nbdinfo, nbdcopy and fio against the gateway on a real MiniCluster. */
class RealClientsTest {
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

  @Test
  void qemuImgInfoReportsTheVolumeSize() throws Exception {
    volumes.create("info-vol", 256L << 20);
    String out = ok("qemu-img", "info", uri("info-vol"));
    assertContains(out, "268435456 bytes");
  }

  @Test
  void qemuIoPatternWriteThenReadVerifies() throws Exception {
    volumes.create("qio-vol", 64L << 20);
    String out = ok("qemu-io", "-f", "raw", "-c", "write -P 0xab 0 1M", "-c", "read -P 0xab 0 1M",
        "-c", "write -P 0x5c 3M 7k", "-c", "read -P 0x5c 3M 7k", "-c", "read -P 0 4M 1M", "-c", "flush",
        uri("qio-vol"));
    assertTrue(!out.contains("Pattern verification failed"), out);
    assertTrue(volumes.info("qio-vol").usedBytes() >= 1 << 20);
  }

  @Test
  void nbdinfoListsTheVolumes() throws Exception {
    volumes.create("list-a", 1 << 20);
    volumes.create("list-b", 2 << 20);
    String out = ok("nbdinfo", "--list", "nbd://127.0.0.1:" + server.port());
    assertContains(out, "list-a");
    assertContains(out, "list-b");
    assertContains(ok("nbdinfo", uri("list-b")), "2097152");
  }

  @Test
  void nbdcopyRoundTripKeepsEveryByte(@TempDir Path dir) throws Exception {
    int size = 64 << 20;
    volumes.create("copy-vol", size);
    byte[] data = new byte[size];
    new Random(2024).nextBytes(data);
    Path in = dir.resolve("in.img");
    Path out = dir.resolve("out.img");
    Files.write(in, data);
    ok("nbdcopy", in.toString(), uri("copy-vol"));
    ok("nbdcopy", uri("copy-vol"), out.toString());
    assertArrayEquals(sha256(in), sha256(out), "image read back differs");
  }

  @Test
  void fioRandomWritesVerifyWithCrc32c() throws Exception {
    volumes.create("fio-vol", 64L << 20);
    String out = ok("fio", "--name=randw", "--ioengine=nbd", "--uri=" + uri("fio-vol"), "--rw=randwrite",
        "--bs=4k", "--iodepth=16", "--verify=crc32c", "--size=32m", "--fsync=64");
    assertTrue(!out.contains("verify:") || !out.contains("bad"), out);
  }

  static byte[] sha256(Path p) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(p)) {
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return md.digest();
  }
}

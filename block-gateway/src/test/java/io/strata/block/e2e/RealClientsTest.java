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
    qemuIo(uri("qio-vol"), "write -P 0xab 0 1M", "read -P 0xab 0 1M", "write -P 0x5c 3M 7k",
        "read -P 0x5c 3M 7k", "read -P 0 4M 1M", "write -z 0 64k", "read -P 0 0 64k", "discard 64k 64k",
        "read -P 0 64k 64k", "read -P 0xab 128k 896k", "flush");
    long used = volumes.info("qio-vol").usedBytes();
    // 1 MiB + two blocks at 3M written, 128 KiB zeroed/discarded (the map may lag a clear: superset)
    assertTrue(used >= (1 << 20) - (128 << 10) + 8192 && used <= (1 << 20) + 8192, "used " + used);
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

  /** The size: 1 GiB of random data in and out through nbdcopy (4 connections, multi-conn). */
  @Test
  void nbdcopyRoundTripOfOneGibibyteKeepsEveryByte(@TempDir Path dir) throws Exception {
    long size = 1L << 30;
    volumes.create("copy-vol", size);
    Path in = Images.random(dir.resolve("in.img"), size, 2024, 0);
    Path out = dir.resolve("out.img");
    long t0 = System.nanoTime();
    ok("nbdcopy", in.toString(), uri("copy-vol"));
    long t1 = System.nanoTime();
    ok("nbdcopy", uri("copy-vol"), out.toString());
    long t2 = System.nanoTime();
    System.out.printf("nbdcopy 1 GiB: in %.1f s, out %.1f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    assertArrayEquals(sha256(in), sha256(out), "image read back differs");
  }

  @Test
  void fioRandomWritesVerifyWithCrc32c() throws Exception {
    volumes.create("fio-vol", 64L << 20);
    String out = ok("fio", "--name=randw", "--ioengine=nbd", "--uri=" + uri("fio-vol"), "--rw=randwrite",
        "--bs=4k", "--iodepth=16", "--verify=crc32c", "--size=32m", "--fsync=64");
    assertTrue(!out.contains("verify:") || !out.contains("bad"), out);
  }

  @Test
  void dataWrittenByQemuSurvivesAGatewayRestart() throws Exception {
    volumes.create("restart-vol", 16L << 20);
    try (NbdServer first = new NbdServer(cluster.client(), cluster.poolId(), "127.0.0.1", 0).start()) {
      qemuIo("nbd://127.0.0.1:" + first.port() + "/restart-vol", "write -P 0x3c 1M 2M", "flush");
    }
    try (NbdServer second = new NbdServer(cluster.client(), cluster.poolId(), "127.0.0.1", 0).start()) {
      qemuIo("nbd://127.0.0.1:" + second.port() + "/restart-vol", "read -P 0x3c 1M 2M", "read -P 0 0 1M");
    }
  }

  /** qemu-io with pattern checks; its exit status alone has not always reflected a failed verify. */
  static String qemuIo(String uri, String... commands) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("qemu-io", "-f", "raw"));
    for (String c : commands) {
      cmd.add("-c");
      cmd.add(c);
    }
    cmd.add(uri);
    String out = ok(cmd.toArray(new String[0]));
    assertTrue(!out.contains("Pattern verification failed") && !out.contains("error"), out);
    return out;
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

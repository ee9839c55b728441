package io.strata.nfs.e2e;

import static io.strata.nfs.e2e.Tool.assertContains;
import static io.strata.nfs.e2e.Tool.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.minicluster.MiniCluster;
import io.strata.nfs.NfsConfig;
import io.strata.nfs.NfsGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nfs-ls, nfs-cp and nfs-cat (libnfs-utils) against the gateway on a real MiniCluster. */
class LibnfsClientsTest {
  static MiniCluster cluster;
  static NfsGateway gateway;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniCluster.builder().build();
    gateway = new NfsGateway(cluster.client(), cluster.poolId(), NfsConfig.ephemeral()).start();
    gateway.shares().create("data", 10L << 30, List.of("127.0.0.0/8"), false, false);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static String url(String path) {
    return "nfs://127.0.0.1/" + path + "?version=3&nfsport=" + gateway.nfsPort() + "&mountport=" + gateway.mountPort();
  }

  @Test
  void copyInAndOutKeepsEveryByte() throws Exception {
    byte[] data = new byte[3 * 1024 * 1024 + 12345];
    new Random(7).nextBytes(data);
    Path in = tmp.resolve("in.bin");
    Files.write(in, data);
    ok("nfs-cp", in.toString(), url("data/copy.bin"));
    Path out = tmp.resolve("out.bin");
    ok("nfs-cp", url("data/copy.bin"), out.toString());
    assertArrayEquals(data, Files.readAllBytes(out));
  }

  @Test
  void aHalfGigabyteFileRoundTripsWithItsChecksum() throws Exception {
    Path in = Tool.randomFile(tmp, "half-gig.bin", 512L << 20, 512);
    long t0 = System.nanoTime();
    ok("nfs-cp", in.toString(), url("data/half-gig.bin"));
    long t1 = System.nanoTime();
    Path out = tmp.resolve("half-gig.out");
    ok("nfs-cp", url("data/half-gig.bin"), out.toString());
    long t2 = System.nanoTime();
    System.out.printf("512 MiB in %.1f s, out %.1f s (not a benchmark: see docs/benchmarks.md)%n",
        (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    assertEquals(Tool.sha256(in), Tool.sha256(out));
    Files.delete(in);
    Files.delete(out);
  }

  @Test
  void catAndListShowWhatWasWritten() throws Exception {
    Path in = tmp.resolve("hello.txt");
    Files.writeString(in, "hello, strata\n");
    ok("nfs-cp", in.toString(), url("data/hello.txt"));
    assertEquals("hello, strata\n", ok("nfs-cat", url("data/hello.txt")).lines().reduce("", (a, b) -> a.isEmpty() ? b + "\n" : a)
        .substring(0, 14));
    String listing = ok("nfs-ls", url("data"));
    assertContains(listing, "hello.txt");
  }
}

package io.strata.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.common.Ports;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata up} serves NFS: shares through the admin API, libnfs nfs-cp/nfs-ls, data across a restart. */
class NfsOnUpIT {
  @TempDir
  Path data;

  static String admin(int port, String query) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/admin/share?" + query)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  /** Runs a libnfs utility; a missing binary fails the test (apt-get install -y libnfs-utils). */
  static String run(String... cmd) throws Exception {
    assertTrue(Files.isExecutable(Path.of("/usr/bin", cmd[0])), cmd[0] + " missing: apt-get install -y libnfs-utils");
    List<String> c = new ArrayList<>(List.of(cmd));
    c.set(0, "/usr/bin/" + cmd[0]);
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    return out;
  }

  @Test
  void sharesAndLibnfsClientsAcrossARestart() throws Exception {
    int adminPort = Ports.freePort();
    int nfsPort = Ports.freePort();
    int mountPort = Ports.freePort();
    String[] argv = {"--data", data.toString(), "--admin-port", "" + adminPort,
        "--metadata-port", "" + Ports.freeRange(3), "--datanode-port",
        "" + Ports.freeRange(3, 0, io.strata.minicluster.MiniCluster.DATA_PORT_OFFSET),
        "--pgs", "16", "--nbd-port", "" + Ports.freePort(), "--s3-port", "" + Ports.freePort(),
        "--s3-tls-port", "" + Ports.freePort(), "--nfs-port", "" + nfsPort, "--mount-port", "" + mountPort,
        "--portmap-port", "-1"};
    String url = "nfs://127.0.0.1/projects/%s?version=3&nfsport=" + nfsPort + "&mountport=" + mountPort;
    byte[] payload = new byte[5 << 20];
    new Random(3).nextBytes(payload);
    Path in = data.resolve("in.bin");
    Files.write(in, payload);
    try (EmbeddedCloud cloud = new EmbeddedCloud(new Args(argv, 0))) {
      String created = admin(adminPort, "action=create&name=projects&size=" + URLEncoder.encode("2G", StandardCharsets.UTF_8)
          + "&clients=127.0.0.0%2F8&access=rw&squash=none");
      assertTrue(created.contains("\"name\":\"projects\""), created);
      assertTrue(admin(adminPort, "action=list").contains("projects"));
      run("nfs-cp", in.toString(), String.format(url, "in.bin"));
      assertTrue(run("nfs-ls", String.format(url, "").replace("/?", "?")).contains("in.bin"));
    }
    try (EmbeddedCloud cloud = new EmbeddedCloud(new Args(argv, 0))) {
      Path out = data.resolve("out.bin");
      run("nfs-cp", String.format(url, "in.bin"), out.toString());
      assertArrayEquals(payload, Files.readAllBytes(out), "the file survives strata up's restart");
      admin(adminPort, "action=delete&name=projects");
      assertTrue(!admin(adminPort, "action=list").contains("projects"));
    }
  }
}

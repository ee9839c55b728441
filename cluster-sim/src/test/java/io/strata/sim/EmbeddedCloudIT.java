package io.strata.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.StrataClient;
import io.strata.common.Ports;
import io.strata.minicluster.MiniCluster;
import io.strata.metadata.server.MetadataConfig;
import io.strata.proto.ChunkId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata up} end to end: health, metrics, fault injection, and a restart that keeps every byte. */
class EmbeddedCloudIT {
  @TempDir
  Path data;


  static String get(int port, String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  /** Runs /usr/bin/aws (Debian's awscli, installed by test.sh) with the cloud's credentials file. */
  static String aws(Path data, String... args) throws Exception {
    Path bin = Path.of("/usr/bin/aws");
    assertTrue(java.nio.file.Files.isExecutable(bin), "awscli missing: apt-get install -y awscli");
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(bin.toString(), "--profile", "strata"));
    cmd.addAll(java.util.List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", data.resolve("credentials").toString());
    pb.environment().put("AWS_CONFIG_FILE", data.resolve("no-such-config").toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "aws timed out");
    assertEquals(0, p.exitValue(), "aws " + String.join(" ", args) + ":\n" + out);
    return out;
  }

  @Test
  void upServesHealthMetricsFaultsAndSurvivesARestart() throws Exception {
    int metaBase = Ports.freeRange(3);
    int dnBase = Ports.freeRange(3, 0, MiniCluster.DATA_PORT_OFFSET);
    int admin = Ports.freePort();
    int nbdPort = Ports.freePort();
    int s3Port = Ports.freePort();
    int s3TlsPort = Ports.freePort();
    String[] argv = {"--data", data.toString(), "--admin-port", "" + admin, "--metadata-port", "" + metaBase,
        "--datanode-port", "" + dnBase, "--pgs", "16", "--nbd-port", "" + nbdPort, "--s3-port", "" + s3Port,
        "--s3-tls-port", "" + s3TlsPort, "--nfs-port", "" + Ports.freePort(), "--mount-port", "" + Ports.freePort(),
        "--portmap-port", "-1"};
    Map<String, String> peers = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      peers.put("m" + i, "127.0.0.1:" + (metaBase + i));
    }
    byte[] payload = new byte[100_000];
    new Random(1).nextBytes(payload);
    ChunkId id;
    try (EmbeddedCloud cloud = new EmbeddedCloud(new Args(argv, 0))) {
      String health = get(admin, "/health");
      assertTrue(health.startsWith("200 "), health);
      assertTrue(health.contains("\"status\":\"ok\"") && health.contains("\"leader\":\"m"), health);
      assertTrue(health.contains("\"placementGroups\":{\"total\":16,\"healthy\":16"), health);
      try (StrataClient client = new StrataClient(peers)) {
        id = client.chunks().chunkId(client.chunks().poolId("default"), ByteString.copyFromUtf8("keep"), 0);
        client.chunks().write(id, ByteString.copyFrom(payload), true).join();
      }
      String metrics = get(admin, "/metrics");
      assertTrue(metrics.contains("# TYPE strata_chunk_writes_total counter"), metrics);
      assertTrue(metrics.contains("strata_meta_applied_commands_total"), metrics);

      String fail = get(admin, "/admin/disk?action=fail&node=dn1&disk=0");
      assertTrue(fail.startsWith("200 ") && fail.contains("failed"), fail);
      io.strata.minicluster.MiniCluster.waitFor(() -> {
        try {
          return get(admin, "/health").contains("\"state\":\"DISK_FAILED\"");
        } catch (Exception e) {
          return false;
        }
      }, java.time.Duration.ofSeconds(20), "health to show the failed disk");
      assertTrue(get(admin, "/admin/disk?action=heal&node=dn1&disk=0").startsWith("200 "));
      assertTrue(get(admin, "/admin/disk?action=explode&node=dn1&disk=0").startsWith("400 "));

      // Cloud disks: the volume API and the NBD listener.
      String created = get(admin, "/admin/volume?action=create&name=disk1&size=64M");
      assertTrue(created.startsWith("200 ") && created.contains("\"sizeBytes\":67108864"), created);
      assertTrue(get(admin, "/admin/volume?action=list").contains("\"disk1\""));
      assertTrue(get(admin, "/admin/volume?action=create&name=disk1&size=64M").startsWith("409 "), "duplicate");
      assertTrue(get(admin, "/admin/snapshot?action=create&volume=disk1&name=s1").startsWith("200 "));
      assertTrue(get(admin, "/admin/volume?action=info&name=disk1").contains("\"snapshots\":[\"s1\"]"));
      String attached = get(admin, "/admin/volume?action=attach&name=disk1&holder=vm-1");
      assertTrue(attached.contains("\"mode\":\"EXCLUSIVE\"") && attached.contains("\"export\":\"disk1@vm-1\""), attached);
      assertTrue(get(admin, "/admin/volume?action=info&name=disk1").contains("\"holder\":\"vm-1\""));
      assertTrue(get(admin, "/admin/volume?action=delete&name=disk1").startsWith("409 "), "attached: refused");
      assertTrue(get(admin, "/admin/volume?action=detach&name=disk1&holder=vm-1").startsWith("200 "));
      // The same through the CLI: ./strata volume attach|detach
      String base = "http://127.0.0.1:" + admin;
      String cli = cli("volume", "attach", "disk1", "--holder", "vm-2", "--mode", "shared", "--admin", base);
      assertTrue(cli.contains("\"mode\":\"SHARED\"") && cli.contains("\"export\":\"disk1@vm-2\""), cli);
      assertTrue(cli("volume", "detach", "disk1", "--holder", "vm-2", "--admin", base).contains("\"detached\":\"vm-2\""));
      assertTrue(!get(admin, "/admin/volume?action=info&name=disk1").contains("vm-2"), "detached");
      String creds = java.nio.file.Files.readString(data.resolve("credentials"));
      assertTrue(creds.startsWith("[strata]") && creds.contains("aws_secret_access_key = "), creds);
      String anonymous = get(s3Port, "/");
      assertTrue(anonymous.startsWith("403 ") && anonymous.contains("<Error>"), anonymous);
      assertTrue(get(admin, "/admin/user?action=create&name=alice").contains("\"accessKeyId\""));
      String key = cli("key", "create", "alice", "--admin", base);
      java.util.regex.Matcher keyId = java.util.regex.Pattern.compile("\"accessKeyId\":\"(\\w+)\"").matcher(key);
      assertTrue(keyId.find(), key);
      assertTrue(cli("key", "list", "alice", "--admin", base).contains(keyId.group(1)));
      assertTrue(cli("key", "delete", "alice", keyId.group(1), "--admin", base).contains("\"deleted\""));
      assertTrue(!cli("key", "list", "alice", "--admin", base).contains(keyId.group(1)), "key deleted");
      // The real AWS CLI over HTTPS, trusting the generated certificate through --ca-bundle.
      Path file = data.resolve("upload.bin");
      java.nio.file.Files.write(file, payload);
      String https = "https://127.0.0.1:" + s3TlsPort;
      String caBundle = data.resolve("ca.pem").toString();
      aws(data, "--endpoint-url", https, "--ca-bundle", caBundle, "s3", "mb", "s3://tls-bucket");
      aws(data, "--endpoint-url", https, "--ca-bundle", caBundle, "s3", "cp", file.toString(), "s3://tls-bucket/x/up.bin");
      assertTrue(aws(data, "--endpoint-url", https, "--ca-bundle", caBundle, "s3", "ls", "--recursive",
          "s3://tls-bucket").contains("x/up.bin"));
      assertTrue(get(admin, "/metrics").contains("strata_s3_responses_total{method=\"PUT\",class=\"2xx\"}"), "S3 metrics exported");
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", nbdPort)) {
        byte[] magic = s.getInputStream().readNBytes(8);
        assertEquals("NBDMAGIC", new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
    // Same directory, same ports: everything comes back.
    String creds = java.nio.file.Files.readString(data.resolve("credentials"));
    try (EmbeddedCloud cloud = new EmbeddedCloud(new Args(argv, 0));
         StrataClient client = new StrataClient(peers)) {
      assertArrayEquals(payload, client.chunks().read(id, 0, 0).join().orElseThrow().toByteArray());
      assertEquals(1, client.metadata().clusterMap(0).orElseThrow().getPoolsCount());
      assertTrue(get(admin, "/admin/volume?action=info&name=disk1").startsWith("200 "), "volume survived");
      assertEquals(creds, java.nio.file.Files.readString(data.resolve("credentials")), "same keys after restart");
    }
    assertTrue(MetadataConfig.parsePeers("a=h:1,b=h:2").size() == 2);
  }

  /** Runs the strata CLI in this JVM (successful commands only: failures exit the process) and returns its output. */
  private static String cli(String... args) throws Exception {
    java.io.PrintStream saved = System.out;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      StrataMain.main(args);
    } finally {
      System.setOut(saved);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}

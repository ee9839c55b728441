package io.strata.sim;

import io.strata.block.nbd.NbdServer;
import io.strata.nfs.NfsConfig;
import io.strata.nfs.NfsGateway;
import io.strata.common.AdminHttpServer;
import io.strata.s3.S3Server;
import io.strata.s3.auth.AccessKey;
import io.strata.common.AdminHttpServer.Response;
import io.strata.common.Metrics;
import io.strata.datanode.disk.DiskFaults;
import io.strata.minicluster.MiniCluster;
import io.strata.transport.LocalEndpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code strata up}: the whole cloud in one JVM on fixed loopback ports under one data directory,
 * with the admin endpoint (health, metrics, fault injection) on top. A restart on the same
 * directory finds every byte again.
 */
final class EmbeddedCloud implements AutoCloseable {
  static final int DEFAULT_ADMIN_PORT = 7070;
  static final int DEFAULT_METADATA_PORT = 7100;
  static final int DEFAULT_DATANODE_PORT = 7200;

  static final int DEFAULT_NBD_PORT = 10809;
  static final int DEFAULT_S3_PORT = 9000;
  static final int DEFAULT_S3_TLS_PORT = 9443;
  static final int DEFAULT_NFS_PORT = NfsConfig.DEFAULT_NFS_PORT;
  static final int DEFAULT_MOUNT_PORT = NfsConfig.DEFAULT_MOUNT_PORT;
  static final int DEFAULT_PORTMAP_PORT = NfsConfig.DEFAULT_PORTMAP_PORT;

  private final MiniCluster cluster;
  private final AdminHttpServer admin;
  private final NbdServer nbd;
  private final S3Server s3;
  private final NfsGateway nfs;
  private final AccessKey adminKey;
  private final Path credentialsFile;

  EmbeddedCloud(Args a) throws IOException {
    Path data = Path.of(a.get("data", "strata-data")).toAbsolutePath();
    String host = "127.0.0.1";
    System.out.println("strata: starting the embedded cloud in " + data + " ...");
    // Gateways and datanodes of one process call each other without sockets (docs/design.md,
    // "Local calls"); --tcp-only keeps loopback TCP, for comparison.
    boolean local = !a.has("tcp-only") && !Boolean.getBoolean("strata.tcpOnly");
    LocalEndpoints.enable(local);
    io.strata.metadata.server.LocalLeader.enable(local);
    this.cluster = MiniCluster.builder()
        .baseDir(data)
        .metadataPeers(a.getInt("metadata-peers", 3))
        .datanodes(a.getInt("datanodes", 3))
        .disksPerNode(a.getInt("disks", 2))
        .pgCount(a.getInt("pgs", 64))
        .diskCapacityBytes(a.getSize("disk-capacity", 64L << 30))
        .ports(a.getInt("metadata-port", DEFAULT_METADATA_PORT), a.getInt("datanode-port", DEFAULT_DATANODE_PORT))
        .heartbeat(Duration.ofSeconds(1))
        .liveness(Duration.ofSeconds(6), Duration.ofSeconds(a.getInt("out-after-seconds", 60)))
        .scrubInterval(Duration.ofMinutes(10))
        .build();
    try {
      this.nbd = new NbdServer(cluster.client(), cluster.poolId(), host, a.getInt("nbd-port", DEFAULT_NBD_PORT)).start();
      this.s3 = new S3Server(cluster.client(), cluster.poolId(), host, a.getInt("s3-port", DEFAULT_S3_PORT))
          .withTls(a.getInt("s3-tls-port", DEFAULT_S3_TLS_PORT), TlsMaterial.ensure(data)).start();
      this.nfs = new NfsGateway(cluster.client(), cluster.poolId(), NfsConfig.defaults().withPorts(
          a.getInt("nfs-port", DEFAULT_NFS_PORT), a.getInt("mount-port", DEFAULT_MOUNT_PORT),
          a.getInt("portmap-port", DEFAULT_PORTMAP_PORT))).start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the NBD server", e);
    }
    this.admin = new AdminHttpServer(host, a.getInt("admin-port", DEFAULT_ADMIN_PORT));
    routes();
    new VolumeRoutes(nbd).register(admin);
    new ShareRoutes(nfs.shares(), "?version=3&nfsport=" + nfs.nfsPort() + "&mountport=" + nfs.mountPort()).register(admin);
    this.credentialsFile = data.resolve("credentials");
    this.adminKey = AdminCredentials.ensure(s3.iam(), credentialsFile);
    new S3AdminRoutes(s3.iam()).register(admin);
    admin.start();
    Metrics.global().gauge("strata_metadata_leader_present", "1 if a metadata leader is elected",
        () -> cluster.metadataLeader() >= 0 ? 1 : 0);
    Metrics.global().gauge("strata_cluster_map_epoch", "current cluster map epoch",
        () -> cluster.client().maps().current().getEpoch());
  }

  private void routes() {
    admin.route("/health", req -> {
      String body = HealthReport.render(cluster);
      return Response.json(body.contains("\"status\":\"unavailable\"") ? 503 : 200, body);
    });
    admin.route("/admin/disk", req -> {
      int node = cluster.datanodeIndex(req.param("node"));
      int disk = Integer.parseInt(req.param("disk"));
      DiskFaults f = cluster.faults(node, disk);
      switch (req.param("action")) {
        case "fail" -> cluster.failDisk(node, disk);
        case "heal" -> cluster.healDisk(node, disk);
        case "slow" -> f.slow(Long.parseLong(req.param("latencyMicros") == null ? "20000" : req.param("latencyMicros")));
        case "bandwidth" -> f.bandwidth(Long.parseLong(req.param("bytesPerSecond") == null ? "0" : req.param("bytesPerSecond")));
        case "bitflip" -> f.bitFlipOnRead(Double.parseDouble(req.param("probability") == null ? "0.01" : req.param("probability")));
        default -> {
          return Response.json(400, "{\"error\":\"action is fail|heal|slow|bandwidth|bitflip\"}");
        }
      }
      return Response.json(200, "{\"node\":\"" + req.param("node") + "\",\"disk\":" + disk + ",\"faults\":\""
          + f.describe() + "\"}");
    });
    admin.route("/admin/node", req -> {
      int node = cluster.datanodeIndex(req.param("node"));
      try {
        switch (req.param("action")) {
          case "kill" -> cluster.killDatanode(node);
          case "restart" -> cluster.restartDatanode(node);
          default -> {
            return Response.json(400, "{\"error\":\"action is kill|restart\"}");
          }
        }
      } catch (IOException e) {
        return Response.json(500, "{\"error\":\"" + e.getMessage() + "\"}");
      }
      return Response.json(200, "{\"node\":\"" + req.param("node") + "\",\"running\":"
          + cluster.isDatanodeRunning(node) + "}");
    });
  }

  void printEndpoints() {
    System.out.println();
    System.out.println("Strata is up.");
    System.out.println("  admin     http://127.0.0.1:" + admin.port() + "/health   /metrics");
    cluster.metadataPeers().forEach((id, addr) -> System.out.println("  metadata  " + id + " " + addr + " (Ratis gRPC)"));
    for (int i = 0; i < cluster.numDatanodes(); i++) {
      System.out.println("  datanode  dn" + i + " 127.0.0.1:" + cluster.datanode(i).port() + " ("
          + cluster.datanode(i).disks().size() + " simulated disks)");
    }
    System.out.println("  nbd       nbd://127.0.0.1:" + nbd.port() + "/VOLUME   (./strata volume create NAME --size 10G)");
    System.out.println("  s3        http://127.0.0.1:" + s3.port() + "   (path style, or BUCKET.localhost)");
    System.out.println("  s3 tls    https://127.0.0.1:" + s3.tlsPort() + "   (--ca-bundle " + cluster.baseDir().resolve("ca.pem") + ")");
    System.out.println("            access key " + adminKey.accessKeyId() + "   secret " + adminKey.secretKey());
    System.out.println("            AWS_SHARED_CREDENTIALS_FILE=" + credentialsFile + " aws --profile strata"
        + " --endpoint-url http://127.0.0.1:" + s3.port() + " s3 ls");
    System.out.println("  nfs       nfs://127.0.0.1/SHARE?version=3&nfsport=" + nfs.nfsPort() + "&mountport=" + nfs.mountPort()
        + "   (./strata share create NAME --size 10G)" + (nfs.portmapPort() > 0 ? "   portmapper :" + nfs.portmapPort() : ""));
    System.out.println("            mount -t nfs -o vers=3,tcp,port=" + nfs.nfsPort() + ",mountport=" + nfs.mountPort()
        + ",nolock 127.0.0.1:/SHARE /mnt");
    System.out.println("  data dir  " + cluster.baseDir());
    System.out.println("  try       ./strata status   |   ./strata disk fail dn0 0   |   ./strata node kill dn1");
    System.out.println("Stop with Ctrl-C (SIGTERM): a clean shutdown; ./strata up again resumes on the same data.");
  }

  void awaitShutdown() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("strata: shutting down ...");
      close();
      done.countDown();
    }, "strata-shutdown"));
    done.await();
  }

  @Override
  public synchronized void close() {
    admin.close();
    s3.close();
    nfs.close();
    nbd.close();
    cluster.close();
  }
}

package io.strata.sim;

import io.strata.common.AdminHttpServer;
import io.strata.common.AdminHttpServer.Response;
import io.strata.datanode.DatanodeConfig;
import io.strata.datanode.DatanodeServer;
import io.strata.metadata.client.MetadataClient;
import io.strata.metadata.server.MetadataConfig;
import io.strata.metadata.server.MetadataServer;
import io.strata.s3.S3Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The {@code strata} command: start services, inspect a running cloud, inject faults. */
public final class StrataMain {
  private StrataMain() {}

  static final String USAGE = """
      usage: strata COMMAND [options]
        up [--data DIR] [--admin-port 7070] [--datanodes 3] [--disks 2]
           [--nfs-port 2049] [--mount-port 20048] [--portmap-port 111 (-1: off; skipped when taken)]
           [--tcp-only (gateways reach datanodes and the metadata leader over loopback TCP, not in-process calls)]
                                    start the whole embedded cloud in one process
        metadata --id m0 --peers m0=HOST:PORT,... --data DIR [--admin-port N]
                                    run one metadata peer
        datanode --id dn0 --meta m0=HOST:PORT,... --data DIR [--port N] [--disks 2] [--capacity 64G] [--admin-port N]
                                    run one datanode
        pool create NAME --meta PEERS [--replication 3] [--min 2] [--pgs 64]
        s3 --meta m0=HOST:PORT,... [--pool NAME] [--port 9000] [--admin-port N]
                                    run one S3 gateway (admin: /health, /metrics, /admin/user, /admin/key)
        status [--admin http://127.0.0.1:7070]
        disk fail|heal|slow|bandwidth|bitflip NODE DISK [--latency-us N] [--bytes-per-sec N] [--probability P]
        node kill|restart NODE
        volume create NAME --size 10G | list | info NAME | resize NAME --size 20G | delete NAME [--force]
        volume clone SNAPSHOT NAME --from VOLUME
        volume attach NAME --holder ID [--mode exclusive|shared|read-only] [--takeover] | detach NAME --holder ID
        snapshot create|delete VOLUME SNAPSHOT | snapshot list VOLUME
        user create NAME              an S3 user with a new access key
        key create|list USER | key delete USER KEY_ID   a user's S3 access keys
        share create NAME --size 100G [--clients 127.0.0.0/8,...] [--rw|--ro] [--root-squash|--no-root-squash]
        share list | share delete NAME  NFS shares (exports)
      """;

  public static void main(String[] argv) throws Exception {
    // "--help" anywhere, e.g. "up --help", prints the usage: it must never start a cloud.
    if (argv.length == 0 || argv[0].equals("help") || java.util.Arrays.stream(argv).anyMatch(
        x -> x.equals("-h") || x.equals("--help"))) {
      System.out.print(USAGE);
      return;
    }
    Args a = new Args(argv, 1);
    try {
      switch (argv[0]) {
        case "up" -> up(a);
        case "metadata" -> metadata(a);
        case "datanode" -> datanode(a);
        case "pool" -> pool(a);
        case "s3" -> s3(a);
        case "status" -> System.out.println(call(a, "/health"));
        case "disk" -> System.out.println(call(a, "/admin/disk?action=" + a.pos(0) + "&node=" + a.pos(1) + "&disk="
            + a.pos(2) + "&latencyMicros=" + a.get("latency-us", "20000") + "&probability=" + a.get("probability", "0.01") + "&bytesPerSecond=" + a.getSize("bytes-per-sec", 0)));
        case "node" -> System.out.println(call(a, "/admin/node?action=" + a.pos(0) + "&node=" + a.pos(1)));
        case "volume" -> System.out.println(call(a, volumePath(a)));
        case "user" -> System.out.println(call(a, "/admin/user?action=" + a.pos(0) + "&name=" + enc(a.pos(1))));
        case "key" -> System.out.println(call(a, "/admin/key?action=" + a.pos(0) + "&user=" + enc(a.pos(1))
            + (a.positionals() > 2 ? "&id=" + enc(a.pos(2)) : "")));
        case "share" -> System.out.println(call(a, sharePath(a)));
        case "snapshot" -> System.out.println(call(a, "/admin/snapshot?action=" + a.pos(0) + "&volume="
            + enc(a.pos(1)) + (a.positionals() > 2 ? "&name=" + enc(a.pos(2)) : "")));
        default -> {
          System.err.print(USAGE);
          System.exit(2);
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("strata: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void up(Args a) throws Exception {
    EmbeddedCloud cloud = new EmbeddedCloud(a);
    cloud.printEndpoints();
    cloud.awaitShutdown();
  }

  private static void metadata(Args a) throws Exception {
    Map<String, String> peers = MetadataConfig.parsePeers(a.get("peers", ""));
    MetadataServer server = new MetadataServer(MetadataConfig.of(a.get("id", ""), peers,
        Path.of(a.get("data", "strata-meta")))).start();
    AdminHttpServer admin = new AdminHttpServer("127.0.0.1", a.getInt("admin-port", 0));
    admin.route("/health", req -> Response.json(200, "{\"peer\":\"" + server.peerId() + "\",\"leader\":"
        + server.isLeader() + ",\"appliedIndex\":" + server.lastAppliedIndex() + ",\"epoch\":"
        + server.clusterMap().getEpoch() + "}"));
    admin.start();
    System.out.println("metadata peer " + server.peerId() + " up; admin http://127.0.0.1:" + admin.port() + "/health");
    block(() -> {
      admin.close();
      try {
        server.close();
      } catch (Exception e) {
        e.printStackTrace();
      }
    });
  }

  private static void datanode(Args a) throws Exception {
    Map<String, String> peers = MetadataConfig.parsePeers(a.get("meta", ""));
    DatanodeConfig cfg = DatanodeConfig.of(a.get("id", ""), Path.of(a.get("data", "strata-dn")), a.getInt("disks", 2),
        peers).withPort(a.getInt("port", 0)).withCapacity(a.getSize("capacity", DatanodeConfig.DEFAULT_DISK_CAPACITY_BYTES));
    DatanodeServer server = new DatanodeServer(cfg, null).start();
    AdminHttpServer admin = new AdminHttpServer("127.0.0.1", a.getInt("admin-port", 0));
    admin.route("/health", req -> {
      StringBuilder b = new StringBuilder("{\"node\":\"" + server.nodeId() + "\",\"port\":" + server.port()
          + ",\"epoch\":" + server.maps().current().getEpoch() + ",\"disks\":[");
      for (int i = 0; i < server.disks().size(); i++) {
        var d = server.disk(i);
        b.append(i == 0 ? "" : ",").append("{\"index\":").append(i).append(",\"usedBytes\":").append(d.usedBytes())
            .append(",\"faults\":\"").append(d.faults().describe()).append("\"}");
      }
      return Response.json(200, b.append("]}").toString());
    });
    admin.start();
    System.out.println("datanode " + server.nodeId() + " up at port " + server.port() + "; admin http://127.0.0.1:"
        + admin.port() + "/health");
    block(() -> {
      admin.close();
      server.close();
    });
  }

  private static void s3(Args a) throws Exception {
    S3Service s3 = new S3Service(MetadataConfig.parsePeers(a.get("meta", "")), a.get("pool", "default"), "127.0.0.1",
        a.getInt("port", EmbeddedCloud.DEFAULT_S3_PORT), a.getInt("admin-port", 0));
    new S3AdminRoutes(s3.server().iam()).register(s3.admin());
    System.out.println("s3 gateway up at http://127.0.0.1:" + s3.server().port() + "; admin http://127.0.0.1:"
        + s3.admin().port() + "/health");
    block(s3::close);
  }

  private static void pool(Args a) {
    if (!a.pos(0).equals("create")) {
      throw new IllegalArgumentException("pool create NAME ...");
    }
    try (MetadataClient meta = new MetadataClient(MetadataConfig.parsePeers(a.get("meta", "")))) {
      int id = meta.createPool(a.pos(1), a.getInt("replication", 3), a.getInt("min", 2), a.getInt("pgs", 64));
      System.out.println("pool " + a.pos(1) + " id " + id);
    }
  }

  private static String volumePath(Args a) {
    String action = a.pos(0);
    StringBuilder p = new StringBuilder("/admin/volume?action=").append(action);
    switch (action) {
      case "list" -> { }
      case "clone" -> p.append("&snapshot=").append(enc(a.pos(1))).append("&name=").append(enc(a.pos(2)))
          .append("&volume=").append(enc(a.get("from", "")));
      default -> p.append("&name=").append(enc(a.pos(1)));
    }
    if (a.has("size")) {
      p.append("&size=").append(enc(a.get("size", "")));
    }
    if (a.has("force")) {
      p.append("&force=true");
    }
    if (a.has("holder")) {
      p.append("&holder=").append(enc(a.get("holder", "")));
    }
    if (a.has("mode")) {
      p.append("&mode=").append(enc(a.get("mode", "")));
    }
    if (a.has("takeover")) {
      p.append("&takeover=true");
    }
    return p.toString();
  }

  private static String sharePath(Args a) {
    String action = a.pos(0);
    StringBuilder p = new StringBuilder("/admin/share?action=").append(enc(action));
    if (!action.equals("list")) {
      p.append("&name=").append(enc(a.pos(1)));
    }
    if (action.equals("create")) {
      if (a.has("ro") && a.has("rw")) {
        throw new IllegalArgumentException("--ro or --rw, not both");
      }
      if (a.has("root-squash") && a.has("no-root-squash")) {
        throw new IllegalArgumentException("--root-squash or --no-root-squash, not both");
      }
      p.append("&size=").append(enc(a.get("size", "10G")))
          .append("&clients=").append(enc(a.get("clients", "127.0.0.0/8")))
          .append("&access=").append(a.has("ro") ? "ro" : "rw")
          .append("&squash=").append(a.has("no-root-squash") ? "none" : "root");
    }
    return p.toString();
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String call(Args a, String path) throws Exception {
    String base = a.get("admin", System.getenv().getOrDefault("STRATA_ADMIN", "http://127.0.0.1:7070"));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 400 && r.statusCode() != 503) {
      System.err.println(r.body());
      throw new IllegalArgumentException("HTTP " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static void block(Runnable onStop) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      onStop.run();
      done.countDown();
    }));
    done.await();
  }
}

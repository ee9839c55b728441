package io.strata.s3;

import io.strata.client.StrataClient;
import io.strata.common.AdminHttpServer;
import io.strata.common.AdminHttpServer.Response;
import io.strata.common.Metrics;
import java.io.IOException;
import java.util.Map;

/**
 * The S3 gateway as a service of its own ({@code strata s3}): a storage client for the given
 * metadata peers, the gateway, and an admin endpoint with {@code GET /health} (503 while the
 * metadata service cannot be reached) and Prometheus {@code GET /metrics}.
 */
public final class S3Service implements AutoCloseable {
  private final StrataClient client;
  private final S3Server server;
  private final AdminHttpServer admin;

  public S3Service(Map<String, String> metadataPeers, String pool, String host, int port, int adminPort)
      throws IOException, InterruptedException {
    this.client = new StrataClient(metadataPeers);
    try {
      int poolId = client.chunks().poolId(pool);
      this.server = new S3Server(client, poolId, host, port).start();
      this.admin = new AdminHttpServer(host, adminPort);
      admin.route("/health", req -> {
        String body = server.healthJson();
        return Response.json(body.contains("\"status\":\"ok\"") ? 200 : 503, body);
      });
      admin.start();
    } catch (IOException | InterruptedException | RuntimeException e) {
      client.close();
      throw e;
    }
    Metrics.global().gauge("strata_s3_open_connections", "open S3 client connections", server::openConnections);
  }

  public S3Server server() {
    return server;
  }

  public AdminHttpServer admin() {
    return admin;
  }

  @Override
  public void close() {
    admin.close();
    server.close();
    client.close();
    Metrics.global().removeGauge("strata_s3_open_connections");
  }
}

package io.strata.s3.it;

import io.strata.minicluster.MiniCluster;
import io.strata.s3.S3Config;
import io.strata.s3.S3Server;
import io.strata.s3.auth.AccessKey;

/** A real MiniCluster with a gateway on an ephemeral loopback port and one user. */
final class GatewayFixture implements AutoCloseable {
  static final String KEY_ID = "AKIASTRATATEST000001";
  static final String SECRET = "strataTestSecretKey0000000000000000000000";

  final MiniCluster cluster;
  final S3Server server;
  final AccessKey key;

  GatewayFixture(S3Config config) throws Exception {
    cluster = MiniCluster.builder().build();
    try {
      server = new S3Server(cluster.client(), cluster.poolId(), "127.0.0.1", 0, config).start();
      key = server.iam().createUser("tester", KEY_ID, SECRET);
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  @Override
  public void close() {
    server.close();
    cluster.close();
  }
}

package io.strata.nfs;

import io.strata.minicluster.MiniCluster;
import io.strata.nfs.client.NfsClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One real MiniCluster and one gateway (ports 0) per test class, with a share "t" open to loopback. */
public abstract class GatewayFixture {
  protected static MiniCluster cluster;
  protected static NfsGateway gateway;

  @BeforeAll
  static void startGateway() throws Exception {
    cluster = MiniCluster.builder().build();
    gateway = new NfsGateway(cluster.client(), cluster.poolId(), NfsConfig.ephemeral()).start();
    gateway.shares().create("t", 10L << 30, List.of("127.0.0.0/8"), false, false);
  }

  @AfterAll
  protected static void stopGateway() {
    if (gateway != null) {
      gateway.close();
      gateway = null;
    }
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  protected static NfsClient client() {
    return new NfsClient(gateway.nfsPort());
  }

  /** A fresh directory under the share root for one test, so tests do not see each other. */
  protected static byte[] freshDir(NfsClient c, String name) {
    byte[] root = c.mount("/t");
    return c.fh(c.mkdir(root, name, 0777));
  }
}

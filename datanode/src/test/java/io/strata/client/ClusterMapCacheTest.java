package io.strata.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.metadata.client.MetadataClient;
import io.strata.proto.ClusterMap;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClusterMapCacheTest {
  /**
   * A refresh that fails at once can finish before its reset is registered; every waiter must
   * still get a map (a lost one once left a retrying chunk write hanging for good).
   */
  @Test
  void atLeastAlwaysCompletesWhenRefreshesFailAtOnce() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    MetadataClient meta = new MetadataClient(Map.of("m0", "127.0.0.1:" + port));
    meta.close();  // every query now fails without touching the network
    ClusterMapCache maps = new ClusterMapCache(meta);
    for (int i = 0; i < 20_000; i++) {
      CompletableFuture<ClusterMap> f = maps.atLeast(1);
      assertEquals(0, f.get(10, TimeUnit.SECONDS).getEpoch(), "the map we have, after a failed refresh");
    }
  }
}

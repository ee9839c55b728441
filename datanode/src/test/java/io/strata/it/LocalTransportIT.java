package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.minicluster.MiniCluster;
import io.strata.transport.LocalEndpoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With local calls on (as in the embedded cloud), clients and datanodes of one process talk
 * without sockets, and a datanode killed under a write stream still loses no acknowledged chunk:
 * its links fail their calls at once, retries find the new primary, the restarted node is
 * reached again.
 */
class LocalTransportIT {
  @AfterEach
  void tcpAgain() {
    LocalEndpoints.enable(false);
  }

  @Test
  void localCallsSurviveADatanodeKillAndRestart() throws Exception {
    LocalEndpoints.enable(true);
    long before = LocalEndpoints.calls();
    try (MiniCluster c = MiniCluster.builder().build()) {
      DatanodeCrashIT.killMidWriteThenRestart(c);
    }
    assertTrue(LocalEndpoints.calls() - before > 1000, "calls went over local links: " + (LocalEndpoints.calls() - before));
  }
}

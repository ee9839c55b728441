package io.strata.bench;

import io.strata.minicluster.MiniCluster;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** One real cluster per benchmark trial: 3 Ratis peers, 3 datanodes x 2 disks, replication 3. */
@State(Scope.Benchmark)
public class ClusterState {
  MiniCluster cluster;

  @Setup(Level.Trial)
  public void start() throws Exception {
    cluster = MiniCluster.builder().pgCount(64).heartbeat(java.time.Duration.ofSeconds(1))
        .liveness(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(60)).build();
  }

  @TearDown(Level.Trial)
  public void stop() {
    cluster.close();
  }
}

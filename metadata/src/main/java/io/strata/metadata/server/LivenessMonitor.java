package io.strata.metadata.server;

import io.strata.common.Threads;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.ClusterMap;
import io.strata.proto.DatanodeInfo;
import io.strata.proto.MetaCommand;
import io.strata.proto.NodeState;
import io.strata.proto.SetNodeState;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on every peer, acts only on the leader: a datanode whose last heartbeat (a leader-stamped
 * time in the map) is older than {@code nodeDownAfter} is proposed DOWN, and one DOWN for longer
 * than {@code nodeOutAfter} is proposed OUT, which re-maps its groups so they backfill. A fresh
 * leader waits one down-interval before judging, since heartbeats may have gone to the old one.
 */
final class LivenessMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LivenessMonitor.class);
  private static final long PERIOD_MILLIS = 500;

  private final MetadataServer server;
  private final MetadataConfig config;
  private final ScheduledExecutorService timer;
  private MetadataClient client;
  private long leaderSinceMillis = -1;

  LivenessMonitor(MetadataServer server, MetadataConfig config) {
    this.server = server;
    this.config = config;
    this.timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("liveness-" + config.peerId()));
  }

  void start() {
    timer.scheduleWithFixedDelay(this::tick, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      if (!server.isLeaderReady()) {
        leaderSinceMillis = -1;
        return;
      }
      long now = System.currentTimeMillis();
      if (leaderSinceMillis < 0) {
        leaderSinceMillis = now;
      }
      if (now - leaderSinceMillis < config.nodeDownAfter().toMillis()) {
        return;
      }
      ClusterMap map = server.clusterMap();
      for (DatanodeInfo n : map.getDatanodesList()) {
        if (n.getState() == NodeState.NODE_UP
            && now - n.getLastHeartbeatMillis() > config.nodeDownAfter().toMillis()) {
          propose(n, NodeState.NODE_DOWN);
        } else if (n.getState() == NodeState.NODE_DOWN
            && now - Math.max(n.getStateSinceMillis(), leaderSinceMillis) > config.nodeOutAfter().toMillis()) {
          propose(n, NodeState.NODE_OUT);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("liveness check failed on {}", config.peerId(), e);
    }
  }

  private void propose(DatanodeInfo n, NodeState next) {
    LOG.info("datanode {} is {} -> {}", n.getNodeId(), n.getState(), next);
    if (client == null) {
      client = new MetadataClient(config.peers());
    }
    client.submit(MetaCommand.newBuilder().setSetNodeState(SetNodeState.newBuilder()
        .setNodeId(n.getNodeId()).setState(next).setExpected(n.getState())).build()).join();
  }

  @Override
  public void close() {
    Threads.shutdown(timer, 5);
    if (client != null) {
      client.close();
    }
  }
}

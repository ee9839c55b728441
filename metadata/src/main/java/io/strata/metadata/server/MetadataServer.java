package io.strata.metadata.server;

import io.strata.metadata.state.MetadataStateMachine;
import io.strata.proto.ClusterMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One metadata peer: a Ratis server running {@link MetadataStateMachine} plus its liveness monitor. */
public final class MetadataServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataServer.class);
  public static final RaftGroupId GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("strata-metadata".getBytes(StandardCharsets.UTF_8)));

  private final MetadataConfig config;
  private final MetadataStateMachine stateMachine;
  private final RaftServer server;
  private final LivenessMonitor liveness;

  public MetadataServer(MetadataConfig config) throws IOException {
    this.config = config;
    Path ratisDir = config.dataDir().resolve("ratis");
    Files.createDirectories(ratisDir);
    this.stateMachine = new MetadataStateMachine(config.dataDir().resolve("db"));
    RaftGroup group = group(config.peers());
    String self = config.peers().get(config.peerId());
    String host = self.substring(0, self.lastIndexOf(':'));
    int port = Integer.parseInt(self.substring(self.lastIndexOf(':') + 1));
    boolean fresh = isEmpty(ratisDir);
    this.server = RaftServer.newBuilder()
        .setServerId(RaftPeerId.valueOf(config.peerId()))
        .setGroup(group)
        .setStateMachine(stateMachine)
        .setProperties(RatisSettings.server(config, ratisDir.toFile(), host, port))
        .setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER)
        .build();
    this.liveness = new LivenessMonitor(this, config);
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  public static RaftGroup group(Map<String, String> peers) {
    List<RaftPeer> list = new ArrayList<>();
    peers.forEach((id, addr) -> list.add(RaftPeer.newBuilder().setId(id).setAddress(addr).build()));
    return RaftGroup.valueOf(GROUP_ID, list);
  }

  public MetadataServer start() throws IOException {
    server.start();
    LocalLeader.register(config.peers().get(config.peerId()), server);
    liveness.start();
    LOG.info("metadata peer {} started at {}", config.peerId(), config.peers().get(config.peerId()));
    return this;
  }

  public String peerId() {
    return config.peerId();
  }

  public boolean isLeader() {
    try {
      return server.getDivision(GROUP_ID).getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
  }

  /** True when this peer is leader and has applied its own term's first entry (ready to serve). */
  public boolean isLeaderReady() {
    try {
      return server.getDivision(GROUP_ID).getInfo().isLeaderReady();
    } catch (IOException e) {
      return false;
    }
  }

  public long lastAppliedIndex() {
    return stateMachine.getLastAppliedTermIndex().getIndex();
  }

  public ClusterMap clusterMap() {
    return stateMachine.clusterMap();
  }

  /** A local, possibly stale read of this peer's own state: for diagnostics and tests. */
  public java.util.Optional<byte[]> localGet(String namespace, byte[] key) {
    return stateMachine.localGet(namespace, key);
  }

  public long installedSnapshots() {
    return stateMachine.installedSnapshots();
  }

  /** The applied index this peer's store held on disk at its start; later entries were replayed. */
  public long storeIndexAtOpen() {
    return stateMachine.storeIndexAtOpen();
  }

  public MetadataConfig config() {
    return config;
  }

  @Override
  public void close() throws IOException {
    LocalLeader.unregister(config.peers().get(config.peerId()), server);
    liveness.close();
    server.close();
    LOG.info("metadata peer {} stopped", config.peerId());
  }
}

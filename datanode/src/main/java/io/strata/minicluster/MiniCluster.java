package io.strata.minicluster;

import io.strata.client.ClusterMapCache;
import io.strata.client.StrataClient;
import io.strata.common.Ports;
import io.strata.datanode.DatanodeConfig;
import io.strata.datanode.DatanodeServer;
import io.strata.datanode.disk.DiskFaults;
import io.strata.metadata.server.MetadataConfig;
import io.strata.metadata.server.MetadataServer;
import io.strata.proto.ClusterMap;
import io.strata.proto.DatanodeInfo;
import io.strata.proto.NodeState;
import io.strata.proto.PlacementGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A whole Strata storage cluster in one JVM: real Ratis metadata peers and real datanodes with
 * RocksDB disks under one directory, on loopback ports. Every integration test builds one, and
 * {@code strata up} runs one with fixed ports and a persistent directory. Members are addressed
 * by index and can be killed and restarted; disk faults are {@link DiskFaults} instances that
 * survive a datanode restart.
 */
public final class MiniCluster implements AutoCloseable {
  /** With fixed ports, datanode i serves its data transport on datanode base port + this + i. */
  public static final int DATA_PORT_OFFSET = 50;

  private final Builder b;
  private final Path baseDir;
  private final boolean ownsDir;
  private final Map<String, String> metaPeers = new LinkedHashMap<>();
  private final MetadataServer[] metas;
  private final DatanodeServer[] datanodes;
  private final int[] datanodePorts;
  private final int[] dataPorts;
  private final List<List<DiskFaults>> faults = new ArrayList<>();
  private StrataClient client;
  private int poolId;

  private MiniCluster(Builder b) throws IOException {
    this.b = b;
    this.ownsDir = b.baseDir == null;
    this.baseDir = ownsDir ? Files.createTempDirectory("strata-mini") : b.baseDir;
    this.metas = new MetadataServer[b.metadataPeers];
    this.datanodes = new DatanodeServer[b.datanodes];
    this.datanodePorts = new int[b.datanodes];
    this.dataPorts = new int[b.datanodes];
    for (int i = 0; i < b.metadataPeers; i++) {
      int port = b.metadataBasePort > 0 ? b.metadataBasePort + i : Ports.freePort();
      metaPeers.put("m" + i, "127.0.0.1:" + port);
    }
    for (int i = 0; i < b.datanodes; i++) {
      datanodePorts[i] = b.datanodeBasePort > 0 ? b.datanodeBasePort + i : Ports.freePort();
      dataPorts[i] = b.datanodeBasePort > 0 ? b.datanodeBasePort + DATA_PORT_OFFSET + i : Ports.freePort();
      List<DiskFaults> f = new ArrayList<>();
      for (int d = 0; d < b.disksPerNode; d++) {
        f.add(new DiskFaults(b.seed * 1000 + i * 10L + d));
      }
      faults.add(f);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  private MiniCluster startAll() throws IOException {
    for (int i = 0; i < metas.length; i++) {
      restartMetadata(i);
    }
    for (int i = 0; i < datanodes.length; i++) {
      restartDatanode(i);
    }
    client = new StrataClient(metaPeers);
    // Placement is sticky: a pool created before every datanode registered would never place a
    // group on the late ones, so wait for all of them first.
    waitFor(this::allDatanodesUp, Duration.ofSeconds(60), "every datanode to register");
    int replication = Math.min(b.replication, datanodes.length);
    poolId = client.metadata().createPool("default", replication, Math.min(b.minReplicas, replication), b.pgCount);
    waitHealthy(Duration.ofSeconds(60));
    return this;
  }

  // ---------------------------------------------------------------- access

  public StrataClient client() {
    return client;
  }

  /** A fresh client of its own (close it yourself). */
  public StrataClient newClient() {
    return new StrataClient(metaPeers);
  }

  public Map<String, String> metadataPeers() {
    return metaPeers;
  }

  public int poolId() {
    return poolId;
  }

  public Path baseDir() {
    return baseDir;
  }

  public int numMetadata() {
    return metas.length;
  }

  public int numDatanodes() {
    return datanodes.length;
  }

  public MetadataServer metadata(int i) {
    return metas[i];
  }

  public DatanodeServer datanode(int i) {
    return datanodes[i];
  }

  public DiskFaults faults(int node, int disk) {
    return faults.get(node).get(disk);
  }

  public int datanodeIndex(String nodeId) {
    return Integer.parseInt(nodeId.substring(2));
  }

  /** Index of the current metadata leader, or -1. */
  public int metadataLeader() {
    for (int i = 0; i < metas.length; i++) {
      if (metas[i] != null && metas[i].isLeader()) {
        return i;
      }
    }
    return -1;
  }

  public ClusterMap currentMap() {
    return client.maps().refresh();
  }

  // ---------------------------------------------------------------- control

  public void killMetadata(int i) throws IOException {
    if (metas[i] != null) {
      metas[i].close();
      metas[i] = null;
    }
  }

  public void restartMetadata(int i) throws IOException {
    killMetadata(i);
    MetadataConfig cfg = MetadataConfig.of("m" + i, metaPeers, baseDir.resolve("meta" + i))
        .withLiveness(b.nodeDownAfter, b.nodeOutAfter).withSnapshotEveryEntries(b.snapshotEveryEntries).withLogSegmentBytes(b.logSegmentBytes);
    metas[i] = new MetadataServer(cfg).start();
  }

  public boolean isMetadataRunning(int i) {
    return metas[i] != null;
  }

  public void killDatanode(int i) {
    if (datanodes[i] != null) {
      datanodes[i].close();
      datanodes[i] = null;
    }
  }

  public void restartDatanode(int i) throws IOException {
    killDatanode(i);
    DatanodeConfig cfg = DatanodeConfig.of("dn" + i, baseDir.resolve("dn" + i), b.disksPerNode, metaPeers)
        .withPort(datanodePorts[i]).withDataPort(dataPorts[i]).withTiming(b.heartbeat, b.scrubInterval)
        .withCapacity(b.diskCapacityBytes).withStrayCheck(b.strayCheck);
    datanodes[i] = new DatanodeServer(cfg, faults.get(i)).start();
  }

  public boolean isDatanodeRunning(int i) {
    return datanodes[i] != null;
  }

  /** Fail-stops a disk and makes its datanode report it now. */
  public void failDisk(int node, int disk) {
    faults(node, disk).failStop();
    if (datanodes[node] != null) {
      datanodes[node].reportNow();
    }
  }

  public void healDisk(int node, int disk) {
    faults(node, disk).heal();
    if (datanodes[node] != null) {
      datanodes[node].reportNow();
    }
  }

  // ---------------------------------------------------------------- waiting

  public static void waitFor(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what);
      }
    }
  }

  /** Every running datanode UP and every group with its full set of acting members. */
  public void waitHealthy(Duration timeout) {
    waitFor(this::isHealthy, timeout, "a healthy cluster");
  }

  private boolean allDatanodesUp() {
    ClusterMap m = client.maps().refresh();
    for (int i = 0; i < datanodes.length; i++) {
      DatanodeInfo n = ClusterMapCache.node(m, "dn" + i).orElse(null);
      if (datanodes[i] != null && (n == null || n.getState() != NodeState.NODE_UP)) {
        return false;
      }
    }
    return true;
  }

  public boolean isHealthy() {
    ClusterMap m = client.maps().refresh();
    for (int i = 0; i < datanodes.length; i++) {
      if (datanodes[i] == null) {
        continue;
      }
      DatanodeInfo n = ClusterMapCache.node(m, "dn" + i).orElse(null);
      if (n == null || n.getState() != NodeState.NODE_UP) {
        return false;
      }
      if (datanodes[i].maps().current().getEpoch() < m.getEpoch()) {
        return false;
      }
    }
    int want = (int) Math.min(b.replication, Stream.of(datanodes).filter(d -> d != null).count());
    for (PlacementGroup g : m.getGroupsList()) {
      if (ClusterMapCache.acting(m, g).size() < want) {
        return false;
      }
    }
    return !m.getGroupsList().isEmpty();
  }

  @Override
  public void close() {
    try {
      if (client != null) {
        client.close();
      }
      for (int i = 0; i < datanodes.length; i++) {
        try {
          killDatanode(i);
        } catch (RuntimeException e) {
          // keep closing the rest
        }
      }
      for (int i = 0; i < metas.length; i++) {
        try {
          killMetadata(i);
        } catch (IOException | RuntimeException e) {
          // keep closing the rest
        }
      }
    } finally {
      if (ownsDir) {
        deleteTree(baseDir);
      }
    }
  }

  /**
   * Deletes a directory tree, walking again if files vanish or appear under the walk (a store
   * still closing): a leftover cluster directory is hundreds of MiB, and one per test run filled
   * the disk of a machine that ran the suite all day.
   */
  static void deleteTree(Path dir) {
    for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // walk again
      }
    }
  }

  /** Settings for a {@link MiniCluster}; defaults suit tests (fast liveness, small groups). */
  public static final class Builder {
    private int metadataPeers = 3;
    private int datanodes = 3;
    private int disksPerNode = 2;
    private int replication = 3;
    private int minReplicas = 2;
    private int pgCount = 16;
    private long diskCapacityBytes = 16L << 30;
    private Duration heartbeat = Duration.ofMillis(300);
    private Duration nodeDownAfter = Duration.ofSeconds(3);
    private Duration nodeOutAfter = Duration.ofSeconds(6);
    private Duration scrubInterval = Duration.ZERO;
    private Duration strayCheck = Duration.ofSeconds(2);
    private long snapshotEveryEntries = MetadataConfig.DEFAULT_SNAPSHOT_EVERY_ENTRIES;
    private long logSegmentBytes = MetadataConfig.DEFAULT_LOG_SEGMENT_BYTES;
    private Path baseDir;
    private int metadataBasePort;
    private int datanodeBasePort;
    private long seed = 1;

    public Builder metadataPeers(int n) { this.metadataPeers = n; return this; }
    public Builder datanodes(int n) { this.datanodes = n; return this; }
    public Builder disksPerNode(int n) { this.disksPerNode = n; return this; }
    public Builder replication(int r, int min) { this.replication = r; this.minReplicas = min; return this; }
    public Builder pgCount(int n) { this.pgCount = n; return this; }
    public Builder diskCapacityBytes(long n) { this.diskCapacityBytes = n; return this; }
    public Builder heartbeat(Duration d) { this.heartbeat = d; return this; }
    public Builder liveness(Duration down, Duration out) { this.nodeDownAfter = down; this.nodeOutAfter = out; return this; }
    public Builder scrubInterval(Duration d) { this.scrubInterval = d; return this; }
    public Builder strayCheck(Duration d) { this.strayCheck = d; return this; }
    public Builder snapshotEveryEntries(long n) { this.snapshotEveryEntries = n; return this; }
    public Builder logSegmentBytes(long n) { this.logSegmentBytes = n; return this; }
    public Builder baseDir(Path p) { this.baseDir = p; return this; }
    public Builder ports(int metadataBase, int datanodeBase) { this.metadataBasePort = metadataBase; this.datanodeBasePort = datanodeBase; return this; }
    public Builder seed(long s) { this.seed = s; return this; }

    public MiniCluster build() throws IOException {
      MiniCluster c = new MiniCluster(this);
      try {
        return c.startAll();
      } catch (IOException | RuntimeException e) {
        c.close();
        throw e;
      }
    }
  }
}

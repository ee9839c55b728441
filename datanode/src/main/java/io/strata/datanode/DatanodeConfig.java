package io.strata.datanode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One datanode's settings.
 *
 * @param nodeId stable id; the node re-registers under it after a restart
 * @param host address to bind and advertise (127.0.0.1 in tests)
 * @param port ChunkService port (0 = any free port)
 * @param dataDir one sub-directory per simulated disk
 * @param disks number of simulated disks
 * @param diskCapacityBytes capacity of each disk; writes beyond it fail with DISK_FULL
 * @param metadataPeers metadata peer id to host:port
 * @param heartbeatInterval how often the node reports to the metadata leader
 * @param scrubInterval pause between background scrub passes (0 = no scrubber)
 * @param failureDomain replicas of one group never share one (default: the node id)
 * @param dataPort port of the chunk data transport (0 = any free port)
 */
public record DatanodeConfig(
    String nodeId,
    String host,
    int port,
    Path dataDir,
    int disks,
    long diskCapacityBytes,
    Map<String, String> metadataPeers,
    Duration heartbeatInterval,
    Duration scrubInterval,
    String failureDomain,
    int dataPort) {

  public static final long DEFAULT_DISK_CAPACITY_BYTES = 64L << 30;
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_SCRUB_INTERVAL = Duration.ofMinutes(5);
  public static final int MAX_DISKS = 64;

  public DatanodeConfig {
    if (nodeId.isEmpty() || disks < 1 || disks > MAX_DISKS || diskCapacityBytes < 1) {
      throw new IllegalArgumentException("datanode needs an id, 1.." + MAX_DISKS + " disks and a positive capacity");
    }
  }

  public static DatanodeConfig of(String nodeId, Path dataDir, int disks, Map<String, String> metadataPeers) {
    return new DatanodeConfig(nodeId, "127.0.0.1", 0, dataDir, disks, DEFAULT_DISK_CAPACITY_BYTES, metadataPeers,
        DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_SCRUB_INTERVAL, "", 0);
  }

  public DatanodeConfig withPort(int p) {
    return new DatanodeConfig(nodeId, host, p, dataDir, disks, diskCapacityBytes, metadataPeers, heartbeatInterval,
        scrubInterval, failureDomain, dataPort);
  }

  public DatanodeConfig withTiming(Duration heartbeat, Duration scrub) {
    return new DatanodeConfig(nodeId, host, port, dataDir, disks, diskCapacityBytes, metadataPeers, heartbeat,
        scrub, failureDomain, dataPort);
  }

  public DatanodeConfig withCapacity(long bytes) {
    return new DatanodeConfig(nodeId, host, port, dataDir, disks, bytes, metadataPeers, heartbeatInterval,
        scrubInterval, failureDomain, dataPort);
  }

  public DatanodeConfig withDataPort(int p) {
    return new DatanodeConfig(nodeId, host, port, dataDir, disks, diskCapacityBytes, metadataPeers, heartbeatInterval,
        scrubInterval, failureDomain, p);
  }
}

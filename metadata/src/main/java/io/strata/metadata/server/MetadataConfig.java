package io.strata.metadata.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One metadata peer's settings. Every limit carries its unit in its name.
 *
 * @param peerId this peer's id, a key of {@code peers}
 * @param peers every peer of the group: id to host:port
 * @param dataDir holds {@code ratis/} (log, snapshots) and {@code db/} (the live RocksDB)
 * @param nodeDownAfter a datanode silent this long is marked DOWN (not acting)
 * @param nodeOutAfter a DOWN datanode stays DOWN this long before it is marked OUT (re-mapped)
 * @param snapshotEveryEntries take a RocksDB checkpoint snapshot every this many log entries
 * @param electionTimeoutMin Raft election timeout lower bound
 * @param logSegmentBytes Raft log segment size; only closed segments are purged after a snapshot
 */
public record MetadataConfig(
    String peerId,
    Map<String, String> peers,
    Path dataDir,
    Duration nodeDownAfter,
    Duration nodeOutAfter,
    long snapshotEveryEntries,
    Duration electionTimeoutMin,
    long logSegmentBytes) {

  public static final Duration DEFAULT_NODE_DOWN_AFTER = Duration.ofSeconds(6);
  public static final Duration DEFAULT_NODE_OUT_AFTER = Duration.ofSeconds(60);
  public static final long DEFAULT_SNAPSHOT_EVERY_ENTRIES = 100_000;
  public static final Duration DEFAULT_ELECTION_TIMEOUT_MIN = Duration.ofMillis(1500);
  public static final long DEFAULT_LOG_SEGMENT_BYTES = 32L << 20;

  public MetadataConfig {
    if (!peers.containsKey(peerId)) {
      throw new IllegalArgumentException("peer " + peerId + " is not among " + peers.keySet());
    }
    if (nodeDownAfter.isNegative() || nodeOutAfter.isNegative() || snapshotEveryEntries < 1
        || logSegmentBytes < (16 << 10)) {
      throw new IllegalArgumentException("limits must be positive");
    }
    peers = new LinkedHashMap<>(peers);
  }

  public static MetadataConfig of(String peerId, Map<String, String> peers, Path dataDir) {
    return new MetadataConfig(peerId, peers, dataDir, DEFAULT_NODE_DOWN_AFTER, DEFAULT_NODE_OUT_AFTER,
        DEFAULT_SNAPSHOT_EVERY_ENTRIES, DEFAULT_ELECTION_TIMEOUT_MIN, DEFAULT_LOG_SEGMENT_BYTES);
  }

  public MetadataConfig withLiveness(Duration down, Duration out) {
    return new MetadataConfig(peerId, peers, dataDir, down, out, snapshotEveryEntries, electionTimeoutMin,
        logSegmentBytes);
  }

  public MetadataConfig withSnapshotEveryEntries(long n) {
    return new MetadataConfig(peerId, peers, dataDir, nodeDownAfter, nodeOutAfter, n, electionTimeoutMin,
        logSegmentBytes);
  }

  public MetadataConfig withLogSegmentBytes(long n) {
    return new MetadataConfig(peerId, peers, dataDir, nodeDownAfter, nodeOutAfter, snapshotEveryEntries,
        electionTimeoutMin, n);
  }

  /** Parses {@code id=host:port,id=host:port}. */
  public static Map<String, String> parsePeers(String spec) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq <= 0 || eq == p.length() - 1) {
        throw new IllegalArgumentException("peer '" + p + "' is not id=host:port");
      }
      out.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return out;
  }
}

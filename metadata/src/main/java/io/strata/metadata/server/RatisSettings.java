package io.strata.metadata.server;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The Ratis tuning we run with (see shared/PERFORMANCE.md section 1): the Netty transport, a
 * 32 MB appender buffer, a write buffer above it, log-worker group commit, no commit-index
 * entries in the log, linearizable reads
 * served under a leader lease, and auto snapshots so the log stays bounded.
 */
public final class RatisSettings {
  private RatisSettings() {}

  public static RaftProperties server(MetadataConfig cfg, File storageDir, String host, int port) {
    RaftProperties p = common();
    RaftServerConfigKeys.setStorageDir(p, List.of(storageDir));
    // The peer's own address only: Ratis binds every interface unless told a host.
    NettyConfigKeys.Server.setHost(p, host);
    NettyConfigKeys.Server.setPort(p, port);
    long min = cfg.electionTimeoutMin().toMillis();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(min, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(min * 2, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf("32MB"));
    RaftServerConfigKeys.Log.Appender.setBufferElementLimit(p, 1024);
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf("33MB"));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(cfg.logSegmentBytes()));
    RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(4L << 20, cfg.logSegmentBytes())));
    RaftServerConfigKeys.Log.setForceSyncNum(p, 128);
    // No commit-index entries in the log (Ozone OM does the same): with them every commit
    // appended a second entry that all three peers wrote, replicated and fsynced, and the next
    // client entry queued behind that fsync. Restart needs no logged commit index: the applied
    // index is stored with the state in RocksDB, and Ratis recommits the rest after election.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, cfg.snapshotEveryEntries()));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, cfg.snapshotEveryEntries());
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    // Linearizable reads answered by the leader alone while it holds a lease (a majority acked it
    // within 0.9 x the minimum election timeout, so no other leader can exist yet): no ReadIndex
    // round to the followers per read. Safe while peers' clocks advance at the same rate.
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    return overrides(p);
  }

  /** Experiments only: JVM system properties named {@code raft.*} replace the values above. */
  static RaftProperties overrides(RaftProperties p) {
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("raft."))
        .forEach(k -> p.set(k, System.getProperty(k)));
    return p;
  }

  /**
   * Client and server: Ratis' Netty transport. Against its gRPC transport, measured with
   * MetaLoad on MiniCluster (2026-12-07, docs/benchmarks.md), a commit at one in flight took
   * 0.63 ms instead of 1.82 ms and 30% less CPU: no HTTP/2 framing and fewer thread hand-offs
   * per message. What it lacks: unordered async requests (reads get their own client), follower
   * read-index requests ({@link LeaderReadsNetty} sends such reads to the leader) and a
   * frame-size limit (the peer port is internal and unauthenticated anyway; design.md).
   */
  public static RaftProperties common() {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, new LeaderReadsNetty());
    return overrides(p);
  }
}

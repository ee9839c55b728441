package io.strata.datanode.replication;

import io.strata.client.Futures;
import io.strata.client.MapIndex;
import io.strata.common.Metrics;
import io.strata.common.Threads;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ChunkStatus;
import io.strata.proto.Member;
import io.strata.proto.PgRef;
import io.strata.proto.PgSummary;
import io.strata.proto.PgSummaryRequest;
import io.strata.proto.PlacementGroup;
import io.strata.proto.PoolInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes stray copies: records a disk still holds for a group whose member list no longer
 * names that disk (the group moved after a failure). A copy is removed only when it has been
 * stray for a grace period, our map is fresh (lease), and the group is whole elsewhere: as many
 * acting members as the pool's replication, all holding identical records (equal summaries).
 * Then every acknowledged write is on the current members, and this copy is redundant.
 */
public final class StrayCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StrayCollector.class);
  static final long SUMMARY_DEADLINE_MILLIS = 10_000;
  static final int GRACE_CHECKS = 2;

  private final LocalNode node;
  private final ScheduledExecutorService executor;
  private final Map<String, Long> straySince = new HashMap<>();
  private final LongAdder removed = Metrics.global().counter("strata_stray_records_removed_total",
      "records of groups that moved away, removed once the group was whole elsewhere");
  private long graceNanos = Long.MAX_VALUE;

  public StrayCollector(LocalNode node) {
    this.node = node;
    this.executor = Executors.newSingleThreadScheduledExecutor(Threads.daemon("stray-collector-" + node.nodeId()));
  }

  public void start(long intervalMillis) {
    graceNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis * GRACE_CHECKS);
    executor.scheduleWithFixedDelay(this::collectQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  private void collectQuietly() {
    try {
      collectOnce();
    } catch (RuntimeException e) {
      LOG.debug("stray collection on {} failed: {}", node.nodeId(), e.toString());
    }
  }

  /** One pass over every disk's groups; returns the number of records removed. */
  public int collectOnce() {
    int total = 0;
    long now = System.nanoTime();
    for (SimulatedDisk disk : node.disks()) {
      if (disk.faults().isFailed()) {
        continue;
      }
      for (int[] g : disk.groups()) {
        String key = disk.index() + "/" + g[0] + "/" + g[1];
        if (!stray(node.maps().index(), disk, g[0], g[1])) {
          straySince.remove(key);
          continue;
        }
        long since = straySince.computeIfAbsent(key, k -> now);
        if (now - since < graceNanos || !node.maps().leaseValid()) {
          continue;
        }
        MapIndex fresh = MapIndex.of(node.maps().refresh());
        if (stray(fresh, disk, g[0], g[1]) && whole(fresh, g[0], g[1])) {
          int n = disk.purgeGroup(g[0], g[1]).join();
          removed.add(n);
          total += n;
          straySince.remove(key);
          LOG.info("removed {} stray records of group {}/{} from {}", n, g[0], g[1], disk.name());
        }
      }
    }
    return total;
  }

  /** Whether the group exists and its member list does not name this disk of ours. */
  private boolean stray(MapIndex idx, SimulatedDisk disk, int pool, int pg) {
    PlacementGroup g = idx.group(pool, pg);
    if (g == null) {
      return false;  // unknown group (no pools are ever deleted): keep the data
    }
    for (Member m : g.getMembersList()) {
      if (m.getNodeId().equals(node.nodeId()) && m.getDiskIndex() == disk.index()) {
        return false;
      }
    }
    return true;
  }

  /** Full acting set, and every acting member holds the same records. */
  private boolean whole(MapIndex idx, int pool, int pg) {
    PoolInfo p = idx.pool(pool);
    List<Member> acting = idx.acting(pool, pg);
    if (p == null || acting.size() < p.getReplication()) {
      return false;
    }
    PgSummary first = null;
    for (Member m : acting) {
      PgSummary s;
      try {
        s = Futures.of(node.channels().stub(idx.address(m.getNodeId()), SUMMARY_DEADLINE_MILLIS)
            .summary(PgSummaryRequest.newBuilder().setEpoch(idx.map().getEpoch())
                .setPg(PgRef.newBuilder().setPool(pool).setPg(pg).setDiskIndex(m.getDiskIndex())).build())).join();
      } catch (RuntimeException e) {
        return false;
      }
      if (s.getStatus() != ChunkStatus.CHUNK_OK) {
        return false;
      }
      if (first == null) {
        first = s;
      } else if (s.getDigest() != first.getDigest() || s.getCount() != first.getCount()
          || s.getMaxVersion() != first.getMaxVersion()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    Threads.shutdown(executor, 5);
  }
}

package io.strata.datanode.replication;

import io.strata.common.Threads;
import io.strata.client.ClusterMapCache;
import io.strata.common.Metrics;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.DiskException;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ClusterMap;
import io.strata.proto.FetchRecordReply;
import io.strata.proto.Member;
import io.strata.proto.PlacementGroup;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background scrubbing: re-reads every record on every healthy disk, verifies its CRC32C, and
 * replaces a corrupt copy with a good one fetched from another member of its group. Paced so it
 * never takes more than a slice of the disk.
 */
public final class Scrubber implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Scrubber.class);
  static final int PAGE = 500;
  static final long PAUSE_EVERY_PAGE_MILLIS = 5;

  private final LocalNode node;
  private final RecordTransfer transfer;
  private final ScheduledExecutorService executor;
  private final LongAdder scanned = Metrics.global().counter("strata_scrub_records_total", "records verified by the scrubber");
  private final LongAdder repaired = Metrics.global().counter("strata_scrub_repairs_total", "corrupt records repaired by the scrubber");

  public Scrubber(LocalNode node) {
    this.node = node;
    this.transfer = new RecordTransfer(node);
    this.executor = Executors.newSingleThreadScheduledExecutor(Threads.daemon("scrubber-" + node.nodeId()));
  }

  public void start(long intervalMillis) {
    executor.scheduleWithFixedDelay(this::scrubAllQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  private void scrubAllQuietly() {
    try {
      scrubAll();
    } catch (RuntimeException e) {
      LOG.warn("scrub pass on {} failed", node.nodeId(), e);
    }
  }

  /** One full pass; returns the number of records repaired. */
  public int scrubAll() {
    int fixed = 0;
    for (SimulatedDisk disk : node.disks()) {
      if (disk.faults().isFailed()) {
        continue;
      }
      for (int[] g : disk.groups()) {
        fixed += scrubGroup(disk, g[0], g[1]);
      }
    }
    return fixed;
  }

  private int scrubGroup(SimulatedDisk disk, int pool, int pg) {
    int fixed = 0;
    byte[] after = new byte[0];
    while (true) {
      List<SimulatedDisk.Listed> page;
      try {
        page = disk.list(pool, pg, after, PAGE);
      } catch (DiskException e) {
        return fixed;
      }
      for (SimulatedDisk.Listed l : page) {
        scanned.increment();
        SimulatedDisk.Stored s;
        try {
          s = disk.read(l.key());
        } catch (DiskException e) {
          continue;
        }
        if (s != null && !s.checksumOk() && repair(disk, pool, pg, l)) {
          fixed++;
        }
      }
      if (page.size() < PAGE) {
        return fixed;
      }
      after = page.get(page.size() - 1).key();
      try {
        Thread.sleep(PAUSE_EVERY_PAGE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return fixed;
      }
    }
  }

  private boolean repair(SimulatedDisk disk, int pool, int pg, SimulatedDisk.Listed l) {
    ClusterMap m = node.map();
    Optional<PlacementGroup> g = ClusterMapCache.group(m, pool, pg);
    if (g.isEmpty()) {
      return false;
    }
    List<Member> members = ClusterMapCache.acting(m, g.get());
    FetchRecordReply good = transfer.fetchGood(members, l.key(), l.version());
    if (good == null) {
      LOG.warn("corrupt record on {} has no good copy in group {}/{}", disk.name(), pool, pg);
      return false;
    }
    RecordTransfer.install(disk, l.key(), good, true);
    repaired.increment();
    LOG.info("scrubber repaired a corrupt record on {} (group {}/{})", disk.name(), pool, pg);
    return true;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}

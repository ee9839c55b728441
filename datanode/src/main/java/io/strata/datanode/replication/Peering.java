package io.strata.datanode.replication;

import io.strata.common.Threads;
import com.google.protobuf.ByteString;
import io.strata.client.ClusterMapCache;
import io.strata.client.Futures;
import io.strata.common.Metrics;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.PgMeta;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.FetchRecordReply;
import io.strata.proto.Member;
import io.strata.proto.PgListEntry;
import io.strata.proto.PgListReply;
import io.strata.proto.PgListRequest;
import io.strata.proto.PgRef;
import io.strata.proto.PgSummary;
import io.strata.proto.PgSummaryRequest;
import io.strata.proto.PlacementGroup;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the acting members of a group to the same records before (and after) the primary serves
 * it. Members first compare summaries ({@link PgMeta}); when they differ, the two key/version
 * listings are merged and each side gets what it lacks at the newer version. This is both the
 * catch-up of a returning replica and the backfill of a newly mapped one.
 */
public final class Peering implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Peering.class);
  static final int LIST_PAGE = 1000;
  static final long RETRY_MILLIS = 1000;
  static final long DIRTY_SCAN_MILLIS = 2000;

  private final LocalNode node;
  private final RecordTransfer transfer;
  private final ScheduledExecutorService executor;
  private final LongAdder recordsCopied;
  private final LongAdder activations;

  public Peering(LocalNode node) {
    this.node = node;
    this.transfer = new RecordTransfer(node);
    this.executor = Executors.newSingleThreadScheduledExecutor(Threads.daemon("peering-" + node.nodeId()));
    this.recordsCopied = Metrics.global().counter("strata_peering_records_copied_total",
        "records copied between replicas by peering, catch-up and backfill");
    this.activations = Metrics.global().counter("strata_peering_activations_total",
        "activation peerings run (a group whose acting set did not change is not re-peered)");
    executor.scheduleWithFixedDelay(this::repairDirty, DIRTY_SCAN_MILLIS, DIRTY_SCAN_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Schedules activation peering of a group at a map. */
  public void activate(ClusterMap m, PgTable.Pg pg) {
    CompletableFuture<Void> target = pg.active;
    executor.execute(() -> runActivation(m, pg, target));
  }

  private void runActivation(ClusterMap m, PgTable.Pg pg, CompletableFuture<Void> target) {
    if (pg.active != target || target.isDone()) {
      return;
    }
    try {
      Optional<PlacementGroup> g = ClusterMapCache.group(m, pg.pool, pg.pg);
      List<Member> acting = g.map(x -> ClusterMapCache.acting(m, x)).orElse(List.of());
      if (acting.isEmpty() || !acting.get(0).getNodeId().equals(node.nodeId())) {
        return;
      }
      activations.increment();
      long maxVersion = reconcileAll(m, pg, acting);
      PgTable.activate(pg, target, m, acting, maxVersion);
    } catch (RuntimeException e) {
      LOG.debug("peering of {}/{} failed, retrying", pg.pool, pg.pg, e);
      executor.schedule(() -> runActivation(node.map(), pg, target), RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** Re-peers active groups where a replica missed a write; the primary keeps serving meanwhile. */
  private void repairDirty() {
    for (PgTable.Pg pg : node.pgs().all()) {
      if (!pg.dirty || !pg.active.isDone()) {
        continue;
      }
      ClusterMap m = node.map();
      try {
        Optional<PlacementGroup> g = ClusterMapCache.group(m, pg.pool, pg.pg);
        if (g.isPresent()) {
          pg.dirty = false;
          reconcileAll(m, pg, ClusterMapCache.acting(m, g.get()), false);
        }
      } catch (RuntimeException e) {
        pg.dirty = true;
      }
    }
  }

  /**
   * Makes every acting member equal to the newest copies; returns the highest version. Throws if
   * any acting member cannot take part: a member we cannot hear from may hold the only copy of
   * the newest acknowledged writes besides ours, so the group waits (and retries) until that
   * member answers or the map stops counting it as acting.
   */
  private long reconcileAll(ClusterMap m, PgTable.Pg pg, List<Member> acting) {
    return reconcileAll(m, pg, acting, true);
  }

  private long reconcileAll(ClusterMap m, PgTable.Pg pg, List<Member> acting, boolean strict) {
    SimulatedDisk mine = node.disk(acting.get(0).getDiskIndex());
    if (mine == null) {
      throw new IllegalStateException("no local disk " + acting.get(0).getDiskIndex());
    }
    PgMeta local = mine.summary(pg.pool, pg.pg);
    long max = local.maxVersion();
    for (Member other : acting.subList(1, acting.size())) {
      PgSummary s;
      try {
        s = summary(m, other, pg);
      } catch (RuntimeException e) {
        s = PgSummary.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE).build();
      }
      if (s.getStatus() != ChunkStatus.CHUNK_OK) {
        pg.dirty = true;
        if (s.getStatus() == ChunkStatus.CHUNK_STALE_EPOCH) {
          node.maps().refreshIfOlder(s.getEpoch());
        }
        if (strict) {
          throw new IllegalStateException("member " + other.getNodeId() + " of " + pg.pool + "/" + pg.pg
              + " did not answer peering: " + s.getStatus());
        }
        continue;
      }
      max = Math.max(max, s.getMaxVersion());
      if (s.getMaxVersion() != local.maxVersion() || s.getCount() != local.count() || s.getDigest() != local.digest()) {
        reconcile(m, pg, mine, other, acting);
        local = mine.summary(pg.pool, pg.pg);
      }
    }
    return Math.max(max, mine.summary(pg.pool, pg.pg).maxVersion());
  }

  private void reconcile(ClusterMap m, PgTable.Pg pg, SimulatedDisk mine, Member other, List<Member> acting) {
    Map<ByteBuffer, Long> ours = new HashMap<>();
    byte[] after = new byte[0];
    while (true) {
      List<SimulatedDisk.Listed> page = mine.list(pg.pool, pg.pg, after, LIST_PAGE);
      page.forEach(l -> ours.put(ByteBuffer.wrap(l.key()), l.version()));
      if (page.size() < LIST_PAGE) {
        break;
      }
      after = page.get(page.size() - 1).key();
    }
    Map<ByteBuffer, Long> theirs = listRemote(m, other, pg);
    Set<ByteBuffer> keys = new HashSet<>(ours.keySet());
    keys.addAll(theirs.keySet());
    int copied = 0;
    for (ByteBuffer k : keys) {
      Long mv = ours.get(k);
      Long tv = theirs.get(k);
      byte[] key = k.array();
      if (tv != null && (mv == null || tv > mv)) {
        // Any acting member with a good copy at that version will do; if none can give one now
        // (read errors, corruption) the group must not activate without it: retry later.
        FetchRecordReply r = transfer.fetchGood(acting, key, tv);
        if (r == null) {
          throw new IllegalStateException("no readable copy of a record at version " + tv + " in group "
              + pg.pool + "/" + pg.pg);
        }
        if (RecordTransfer.install(mine, key, r, false)) {
          copied++;
        }
      } else if (mv != null && (tv == null || mv > tv)) {
        if (transfer.push(mine, other, key)) {
          copied++;
        } else {
          pg.dirty = true;
        }
      }
    }
    recordsCopied.add(copied);
    LOG.info("peered {}/{} with {}: {} records copied", pg.pool, pg.pg, other.getNodeId(), copied);
  }

  private PgSummary summary(ClusterMap m, Member other, PgTable.Pg pg) {
    PgSummaryRequest req = PgSummaryRequest.newBuilder().setEpoch(m.getEpoch())
        .setPg(PgRef.newBuilder().setPool(pg.pool).setPg(pg.pg).setDiskIndex(other.getDiskIndex())).build();
    return Futures.of(node.channels().stub(ClusterMapCache.address(m, other.getNodeId()),
        RecordTransfer.RPC_DEADLINE_MILLIS).summary(req)).join();
  }

  private Map<ByteBuffer, Long> listRemote(ClusterMap m, Member other, PgTable.Pg pg) {
    Map<ByteBuffer, Long> out = new HashMap<>();
    ByteString after = ByteString.EMPTY;
    while (true) {
      PgListRequest req = PgListRequest.newBuilder().setEpoch(m.getEpoch())
          .setPg(PgRef.newBuilder().setPool(pg.pool).setPg(pg.pg).setDiskIndex(other.getDiskIndex()))
          .setStartAfter(after).setLimit(LIST_PAGE).build();
      PgListReply r = Futures.of(node.channels().stub(ClusterMapCache.address(m, other.getNodeId()),
          RecordTransfer.RPC_DEADLINE_MILLIS).list(req)).join();
      if (r.getStatus() != ChunkStatus.CHUNK_OK) {
        throw new IllegalStateException("list of " + pg.pool + "/" + pg.pg + " on " + other.getNodeId()
            + " failed: " + r.getStatus());
      }
      List<PgListEntry> entries = new ArrayList<>(r.getEntriesList());
      entries.forEach(e -> out.put(ByteBuffer.wrap(e.getKey().toByteArray()), e.getVersion()));
      if (!r.getTruncated() || entries.isEmpty()) {
        return out;
      }
      after = entries.get(entries.size() - 1).getKey();
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}

package io.strata.datanode.replication;

import io.strata.client.ClusterMapCache;
import io.strata.proto.ClusterMap;
import io.strata.proto.Member;
import io.strata.proto.PlacementGroup;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The groups this datanode is primary of, and whether each is active: a primary serves I/O for a
 * group only after peering at the current epoch, so it never hands out a version below one a
 * member already holds and never serves stale data. A group whose acting set did not change
 * between two epochs stays active without peering again.
 */
public final class PgTable {
  /** One group on its primary. */
  public static final class Pg {
    final int pool;
    final int pg;
    final AtomicLong lastVersion = new AtomicLong();
    volatile long activeEpoch = -1;
    volatile List<Member> actingAtActivation = List.of();
    volatile CompletableFuture<Void> active = new CompletableFuture<>();
    volatile boolean dirty;

    Pg(int pool, int pg) {
      this.pool = pool;
      this.pg = pg;
    }

    long nextVersion() {
      return lastVersion.incrementAndGet();
    }
  }

  private final String nodeId;
  private final Map<Long, Pg> groups = new ConcurrentHashMap<>();
  private volatile BiConsumer<ClusterMap, Pg> peer = (m, p) -> { };

  public PgTable(String nodeId) {
    this.nodeId = nodeId;
  }

  /** Sets what starts peering of a group at a map (asynchronously). */
  public void peerWith(BiConsumer<ClusterMap, Pg> peer) {
    this.peer = peer;
  }

  static long key(int pool, int pg) {
    return ((long) pool << 32) | (pg & 0xffffffffL);
  }

  public Pg get(int pool, int pg) {
    return groups.get(key(pool, pg));
  }

  /** Called with every new map. */
  public void onMap(ClusterMap m) {
    for (PlacementGroup g : m.getGroupsList()) {
      List<Member> acting = ClusterMapCache.acting(m, g);
      boolean primary = !acting.isEmpty() && acting.get(0).getNodeId().equals(nodeId);
      long k = key(g.getPool(), g.getPg());
      if (!primary) {
        Pg old = groups.remove(k);
        if (old != null && !old.active.isDone()) {
          old.active.completeExceptionally(new IllegalStateException("no longer primary"));
        }
        continue;
      }
      Pg pg = groups.computeIfAbsent(k, x -> new Pg(g.getPool(), g.getPg()));
      synchronized (pg) {
        if (pg.active.isDone() && pg.activeEpoch >= 0 && acting.equals(pg.actingAtActivation) && !pg.dirty) {
          pg.activeEpoch = m.getEpoch();
          continue;
        }
        if (pg.active.isDone()) {
          pg.active = new CompletableFuture<>();
        }
      }
      peer.accept(m, pg);
    }
  }

  /** Marks a group for re-peering (a replica missed a write). */
  public void markDirty(int pool, int pg) {
    Pg p = get(pool, pg);
    if (p != null) {
      p.dirty = true;
    }
  }

  public Iterable<Pg> all() {
    return groups.values();
  }

  /** Activates the group if {@code target} is still its pending activation. */
  static void activate(Pg pg, CompletableFuture<Void> target, ClusterMap m, List<Member> acting, long maxVersion) {
    synchronized (pg) {
      if (pg.active != target) {
        return;
      }
      // Versions are (epoch << 32 | sequence): a primary of a newer epoch always writes versions
      // above anything a fenced primary of an older epoch may still have stored somewhere.
      pg.lastVersion.accumulateAndGet(Math.max(maxVersion, m.getEpoch() << 32), Math::max);
      pg.actingAtActivation = acting;
      pg.activeEpoch = m.getEpoch();
      pg.dirty = false;
      pg.active.complete(null);
    }
  }
}

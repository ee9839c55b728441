package io.strata.client;

import io.strata.metadata.client.MetadataClient;
import io.strata.proto.ClusterMap;
import io.strata.proto.DatanodeInfo;
import io.strata.proto.Member;
import io.strata.proto.NodeState;
import io.strata.proto.PlacementGroup;
import io.strata.proto.PoolInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The local copy of the cluster map, shared by clients and datanodes. Refreshed when someone
 * sees a newer epoch (a heartbeat reply, a STALE_EPOCH answer); listeners hear every new map.
 */
public final class ClusterMapCache {
  /**
   * How long a map stays trusted for fence checks after the metadata service last confirmed it
   * (a heartbeat or refresh that started at that moment saw no newer epoch). A datanode cut off
   * from metadata for longer refuses fenced writes; {@link Fencing} waits this long (plus
   * {@link #LEASE_MARGIN_MILLIS}) for a datanode that does not answer its barrier.
   */
  public static final long MAP_LEASE_MILLIS = 10_000;
  public static final long LEASE_MARGIN_MILLIS = 1_000;

  private final MetadataClient meta;
  private final List<Consumer<ClusterMap>> listeners = new CopyOnWriteArrayList<>();
  private volatile ClusterMap map = ClusterMap.getDefaultInstance();
  private volatile MapIndex index = MapIndex.of(ClusterMap.getDefaultInstance());
  private CompletableFuture<ClusterMap> refreshing;
  private final java.util.concurrent.atomic.AtomicLong confirmedAtNanos = new java.util.concurrent.atomic.AtomicLong(
      System.nanoTime() - java.util.concurrent.TimeUnit.DAYS.toNanos(1));

  public ClusterMapCache(MetadataClient meta) {
    this.meta = meta;
  }

  public ClusterMap current() {
    return map;
  }

  /** Lookups over the current map. */
  public MapIndex index() {
    MapIndex i = index;
    return i.map() == map ? i : MapIndex.of(map);
  }

  /**
   * The map once it is at least {@code epoch}, refreshing in the background (one refresh at a
   * time, shared by all waiters) so that no event loop ever waits for metadata. Completes with
   * whatever map we have when the refresh is done, which may still be older if metadata is.
   */
  public CompletableFuture<ClusterMap> atLeast(long epoch) {
    ClusterMap m = map;
    if (m.getEpoch() >= epoch) {
      return CompletableFuture.completedFuture(m);
    }
    CompletableFuture<ClusterMap> f;
    synchronized (this) {
      f = refreshing;
      if (f == null) {
        // Read the field into f before adding the reset: a refresh that fails fast may finish
        // before whenComplete is registered, and the reset then runs here, at once. (Reading
        // the field after it once lost a retrying chunk operation to a NullPointerException.)
        CompletableFuture<ClusterMap> started = CompletableFuture.supplyAsync(this::refresh, REFRESHER);
        refreshing = f = started;
        started.whenComplete((r, t) -> {
          synchronized (this) {
            if (refreshing == started) {
              refreshing = null;
            }
          }
        });
      }
    }
    return f.handle((r, t) -> map);
  }

  private static final java.util.concurrent.ExecutorService REFRESHER = java.util.concurrent.Executors.newCachedThreadPool(
      io.strata.common.Threads.daemon("map-refresh"));

  public void onChange(Consumer<ClusterMap> listener) {
    listeners.add(listener);
  }

  /** Fetches the map if the metadata service has a newer one; returns the current map. */
  public ClusterMap refresh() {
    long started = System.nanoTime();
    Optional<ClusterMap> newer = meta.clusterMap(map.getEpoch());
    newer.ifPresent(this::install);
    confirm(map.getEpoch(), started);
    return map;
  }

  /**
   * Notes that the metadata service's epoch was {@code epoch} at some moment after
   * {@code startedNanos}; if we hold that epoch, our map was current then.
   */
  public void confirm(long epoch, long startedNanos) {
    if (epoch <= map.getEpoch()) {
      confirmedAtNanos.accumulateAndGet(startedNanos, (a, b) -> a - b < 0 ? b : a);
    }
  }

  /** Whether the map was confirmed current within {@link #MAP_LEASE_MILLIS}. */
  public boolean leaseValid() {
    return System.nanoTime() - confirmedAtNanos.get() < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(MAP_LEASE_MILLIS);
  }

  /** Refreshes only if our epoch is older than {@code epoch}. */
  public ClusterMap refreshIfOlder(long epoch) {
    if (map.getEpoch() < epoch) {
      return refresh();
    }
    return map;
  }

  /** Installs a newer map; listeners see maps one at a time and in epoch order. */
  public synchronized void install(ClusterMap next) {
    if (next.getEpoch() <= map.getEpoch()) {
      return;
    }
    map = next;
    index = MapIndex.of(next);
    for (Consumer<ClusterMap> l : listeners) {
      l.accept(next);
    }
  }

  // ---- pure helpers over a map ----

  /**
   * The epoch of the map's last placement or liveness change. Requests from an older epoch than
   * this are stale (their sender may route to a former primary); requests between it and the
   * current epoch only missed fence changes, which the receiver checks itself.
   */
  public static long placementEpoch(ClusterMap m) {
    return m.getPlacementEpoch() == 0 ? m.getEpoch() : m.getPlacementEpoch();
  }

  public static Optional<PoolInfo> pool(ClusterMap m, int poolId) {
    return m.getPoolsList().stream().filter(p -> p.getPoolId() == poolId).findFirst();
  }

  public static Optional<PoolInfo> pool(ClusterMap m, String name) {
    return m.getPoolsList().stream().filter(p -> p.getName().equals(name)).findFirst();
  }

  public static Optional<PlacementGroup> group(ClusterMap m, int pool, int pg) {
    for (PlacementGroup g : m.getGroupsList()) {
      if (g.getPool() == pool && g.getPg() == pg) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  public static Optional<DatanodeInfo> node(ClusterMap m, String nodeId) {
    for (DatanodeInfo n : m.getDatanodesList()) {
      if (n.getNodeId().equals(nodeId)) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  /** The members that take part in I/O now: those whose node is up. The first is the primary. */
  public static List<Member> acting(ClusterMap m, PlacementGroup g) {
    List<Member> out = new ArrayList<>();
    for (Member member : g.getMembersList()) {
      Optional<DatanodeInfo> n = node(m, member.getNodeId());
      if (n.isPresent() && n.get().getState() == NodeState.NODE_UP) {
        out.add(member);
      }
    }
    return out;
  }

  public static String address(ClusterMap m, String nodeId) {
    return node(m, nodeId).map(DatanodeInfo::getAddress).orElse("");
  }
}

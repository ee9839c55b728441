package io.strata.client;

import io.strata.metadata.client.MetadataClient;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.DatanodeInfo;
import io.strata.proto.MapBarrierReply;
import io.strata.proto.MapBarrierRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Raising fences and waiting until they hold. A fence raise is a metadata command (or part of a
 * {@code KvTxn}) that yields a new map epoch; it holds on a datanode once that datanode has the
 * map and has finished every write it admitted under an older one. {@link #await} sends that
 * barrier to every datanode of the map in parallel; for one that does not answer in
 * {@link #BARRIER_DEADLINE_MILLIS} it waits out the map lease instead, after which that datanode
 * refuses fenced writes until it reaches metadata again (and then has the fence).
 */
public final class Fencing {
  public static final long BARRIER_DEADLINE_MILLIS = 5_000;

  private final MetadataClient meta;
  private final ClusterMapCache maps;
  private final PeerChannels channels;

  Fencing(MetadataClient meta, ClusterMapCache maps, PeerChannels channels) {
    this.meta = meta;
    this.maps = maps;
    this.channels = channels;
  }

  /** Raises the fence of {@code key} to at least {@code epoch} and waits until it holds everywhere. */
  public void raise(String key, long epoch) {
    await(meta.raiseFence(key, epoch));
  }

  /**
   * Waits until a fence change committed at map epoch {@code mapEpoch} (e.g. the {@code map_epoch}
   * of a {@code KvTxn} result) holds on every datanode. Blocks for at most about
   * {@link ClusterMapCache#MAP_LEASE_MILLIS} + {@link ClusterMapCache#LEASE_MARGIN_MILLIS}.
   */
  public void await(long mapEpoch) {
    long committedAt = System.nanoTime();
    ClusterMap m = maps.refreshIfOlder(mapEpoch);
    List<CompletableFuture<Boolean>> barriers = new ArrayList<>();
    for (DatanodeInfo n : m.getDatanodesList()) {
      barriers.add(Futures.of(channels.stub(n.getAddress(), BARRIER_DEADLINE_MILLIS)
              .mapBarrier(MapBarrierRequest.newBuilder().setEpoch(mapEpoch).build()))
          .thenApply((MapBarrierReply r) -> r.getStatus() == ChunkStatus.CHUNK_OK && r.getEpoch() >= mapEpoch)
          .exceptionally(t -> false));
    }
    boolean all = barriers.stream().allMatch(CompletableFuture::join);
    if (all) {
      return;
    }
    long leaseEnd = committedAt + TimeUnit.MILLISECONDS.toNanos(ClusterMapCache.MAP_LEASE_MILLIS
        + ClusterMapCache.LEASE_MARGIN_MILLIS);
    long left;
    while ((left = leaseEnd - System.nanoTime()) > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ChunkException(ChunkStatus.CHUNK_UNAVAILABLE, "interrupted while waiting for a fence to hold");
      }
    }
  }
}

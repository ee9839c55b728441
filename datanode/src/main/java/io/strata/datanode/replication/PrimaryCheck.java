package io.strata.datanode.replication;

import io.strata.client.ClusterMapCache;
import io.strata.client.MapIndex;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.Member;
import io.strata.proto.PoolInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Decides whether this datanode may serve a request as primary of a chunk's group at the
 * request's epoch: learning a newer map first (in the background), refusing an older placement
 * epoch (the sender may route to a former primary), and requiring enough acting members.
 */
final class PrimaryCheck {
  /** The group context of a primary request, or the status that refuses it. */
  record Primary(MapIndex index, List<Member> acting, PoolInfo pool, PgTable.Pg pg, ChunkStatus refusal, String why) {
    static Primary refuse(MapIndex i, ChunkStatus s, String why) {
      return new Primary(i, null, null, null, s, why);
    }

    ClusterMap map() {
      return index.map();
    }

    long epoch() {
      return index.map().getEpoch();
    }
  }

  private final LocalNode node;

  PrimaryCheck(LocalNode node) {
    this.node = node;
  }

  /** Our map once it is at least {@code epoch} (or the newest metadata gave us). */
  CompletableFuture<ClusterMap> mapAt(long epoch) {
    return node.maps().atLeast(epoch);
  }

  CompletableFuture<Primary> primary(long epoch, ChunkId id) {
    ClusterMap m = node.map();
    if (epoch <= m.getEpoch()) {
      return CompletableFuture.completedFuture(check(node.maps().index(), epoch, id));
    }
    return mapAt(epoch).thenApply(x -> check(node.maps().index(), epoch, id));
  }

  private Primary check(MapIndex idx, long epoch, ChunkId id) {
    ClusterMap m = idx.map();
    long placement = ClusterMapCache.placementEpoch(m);
    if (epoch < placement) {
      return Primary.refuse(idx, ChunkStatus.CHUNK_STALE_EPOCH, "epoch " + epoch + " < placement epoch " + placement);
    }
    PoolInfo pool = idx.pool(id.getPool());
    if (pool == null || idx.group(id.getPool(), id.getPg()) == null) {
      return Primary.refuse(idx, ChunkStatus.CHUNK_INVALID, "no group " + id.getPool() + "/" + id.getPg());
    }
    List<Member> acting = idx.acting(id.getPool(), id.getPg());
    if (acting.isEmpty() || !acting.get(0).getNodeId().equals(node.nodeId())) {
      return Primary.refuse(idx, ChunkStatus.CHUNK_NOT_PRIMARY, node.nodeId() + " is not primary of " + id.getPg());
    }
    if (acting.size() < pool.getMinReplicas()) {
      return Primary.refuse(idx, ChunkStatus.CHUNK_UNAVAILABLE, acting.size() + " acting members < min "
          + pool.getMinReplicas());
    }
    PgTable.Pg pg = node.pgs().get(id.getPool(), id.getPg());
    if (pg == null) {
      return Primary.refuse(idx, ChunkStatus.CHUNK_UNAVAILABLE, "group not yet known on " + node.nodeId());
    }
    return new Primary(idx, acting, pool, pg, null, null);
  }

  /** Why a chunk id is unacceptable, or null. */
  static String validate(ChunkId id) {
    if (id.getObjectId().isEmpty() || id.getObjectId().size() > ChunkKeys.MAX_OBJECT_ID_BYTES) {
      return "object id must be 1.." + ChunkKeys.MAX_OBJECT_ID_BYTES + " bytes";
    }
    return null;
  }
}

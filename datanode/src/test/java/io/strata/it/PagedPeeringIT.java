package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.ClusterMapCache;
import io.strata.datanode.disk.PgMeta;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ClusterMap;
import io.strata.proto.Member;
import io.strata.proto.PlacementGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Peering of a group with several pages of records (PgCursor merges page by page): a returning
 * primary pulls what changed while it was down, and a returning replica is pushed what it
 * missed; afterwards every member holds exactly the same records (equal summaries).
 */
class PagedPeeringIT {
  static final int KEYS = 2_600;  // > 2 pages of 1000

  @Test
  void returningMembersConvergeOverManyPages() throws Exception {
    try (MiniCluster c = MiniCluster.builder().pgCount(1).build()) {
      ChunkClient chunks = c.client().chunks();
      writeAll(chunks, c.poolId(), 0, KEYS, "v1");

      List<Member> members = group(c).getMembersList();
      int primary = c.datanodeIndex(members.get(0).getNodeId());
      c.killDatanode(primary);  // returns as primary (sticky placement) and must pull
      mutate(chunks, c.poolId(), "v2", KEYS);
      c.restartDatanode(primary);
      c.waitHealthy(Duration.ofSeconds(60));
      assertConverged(c);

      int replica = c.datanodeIndex(members.get(2).getNodeId());
      c.killDatanode(replica);  // returns as a replica and is pushed to
      mutate(chunks, c.poolId(), "v3", KEYS + 2000);
      c.restartDatanode(replica);
      c.waitHealthy(Duration.ofSeconds(60));
      assertConverged(c);
      assertEquals(ByteString.copyFromUtf8("v3-5"), chunks.read(chunks.chunkId(c.poolId(), obj(), 5), 0, 0).join()
          .orElseThrow());
    }
  }

  static ByteString obj() {
    return ByteString.copyFromUtf8("paged");
  }

  static void writeAll(ChunkClient chunks, int pool, int from, int to, String tag) {
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (int i = from; i < to; i++) {
      all.add(chunks.write(chunks.chunkId(pool, obj(), i), ByteString.copyFromUtf8(tag + "-" + i), false));
      if (all.size() >= 64) {
        all.forEach(CompletableFuture::join);
        all.clear();
      }
    }
    all.forEach(CompletableFuture::join);
  }

  /** Overwrites a third, deletes a slice, adds 1200 new keys from {@code newFrom}. */
  static void mutate(ChunkClient chunks, int pool, String tag, int newFrom) {
    writeAll(chunks, pool, 0, KEYS / 3, tag);
    for (int i = KEYS / 3; i < KEYS / 3 + 100; i++) {
      chunks.delete(chunks.chunkId(pool, obj(), i)).join();
    }
    writeAll(chunks, pool, newFrom, newFrom + 1200, tag);
  }

  static PlacementGroup group(MiniCluster c) {
    ClusterMap m = c.currentMap();
    return m.getGroupsList().get(0);
  }

  static void assertConverged(MiniCluster c) {
    MiniCluster.waitFor(() -> {
      ClusterMap m = c.currentMap();
      PlacementGroup g = m.getGroupsList().get(0);
      List<Member> acting = ClusterMapCache.acting(m, g);
      if (acting.size() < 3) {
        return false;
      }
      PgMeta first = null;
      for (Member mem : acting) {
        PgMeta s = c.datanode(c.datanodeIndex(mem.getNodeId())).disk(mem.getDiskIndex()).summary(g.getPool(), g.getPg());
        if (first == null) {
          first = s;
        } else if (!first.equals(s)) {
          return false;
        }
      }
      return first != null && first.count() >= KEYS;
    }, Duration.ofSeconds(90), "all members of the group to hold the same records");  // throws if they never do
  }
}

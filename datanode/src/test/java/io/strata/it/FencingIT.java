package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.ChunkException;
import io.strata.client.ClusterMapCache;
import io.strata.client.Fence;
import io.strata.client.PeerChannels;
import io.strata.client.StrataClient;
import io.strata.common.Checksums;
import io.strata.common.Metrics;
import io.strata.datanode.DatanodeServer;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.metadata.client.MetaException;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaResult;
import io.strata.proto.PlacementGroup;
import io.strata.proto.RaiseFence;
import io.strata.proto.WriteChunkReply;
import io.strata.proto.WriteChunkRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Storage-side fencing: once a fence is raised (and {@code Fencing.raise} returned), writes of
 * the old holder are refused with CHUNK_FENCED and never applied on any disk, whether they were
 * delayed in flight, sent to a primary that then failed over, or sent after a datanode restart;
 * the new holder's writes go through, and raising a fence re-peers no group.
 */
class FencingIT {
  static final String KEY = "vol/42";
  static final Fence OLD = new Fence(KEY, 1);
  static final Fence NEW = new Fence(KEY, 2);
  static final ByteString OBJECT = ByteString.copyFromUtf8("volume-42");
  static final ByteString STALE = ByteString.copyFromUtf8("written by the fenced holder");
  static final ByteString FRESH = ByteString.copyFromUtf8("written by the new holder");

  @Test
  void oldHolderIsRefusedEverywhereAndNewHolderWrites() throws Exception {
    try (MiniCluster c = MiniCluster.builder().build();
         StrataClient a = c.newClient();
         StrataClient b = c.newClient();
         PeerChannels raw = new PeerChannels()) {
      ChunkClient ca = a.chunks();
      ChunkClient cb = b.chunks();
      int pool = c.poolId();
      ChunkId early = ca.chunkId(pool, OBJECT, 0);
      assertTrue(ca.write(early, ByteString.copyFromUtf8("before the takeover"), false, OLD).join() > 0);

      // A request of A's, built now and delivered after the takeover (a delayed packet).
      ChunkId delayedId = ca.chunkId(pool, OBJECT, 1);
      ClusterMap before = ca.maps().refresh();
      activateAllGroups(ca, before, pool);
      WriteChunkRequest delayed = staleWrite(before, delayedId);
      String delayedTo = primaryAddress(before, delayedId);
      double activations = counter("strata_peering_activations_total");

      b.fencing().raise(KEY, 2);

      ClusterMap after = cb.maps().refresh();
      assertEquals(2, Fence.current(after, KEY));
      assertEquals(ClusterMapCache.placementEpoch(before), ClusterMapCache.placementEpoch(after),
          "a fence raise is not a placement change");
      assertEquals(activations, counter("strata_peering_activations_total"), "no group re-peered");

      WriteChunkReply r = raw.stub(delayedTo, 10_000).write(delayed).get(10, TimeUnit.SECONDS);
      assertEquals(ChunkStatus.CHUNK_FENCED, r.getStatus(), r.getMessage());

      List<ChunkId> refused = new ArrayList<>(List.of(delayedId));
      ChunkId later = ca.chunkId(pool, OBJECT, 2);
      refused.add(later);
      assertFenced(ca.write(later, STALE, true, OLD));
      assertFenced(ca.delete(early, OLD));
      assertFenced(ca.flush(pool, Set.of(early.getPg()), OLD));

      cb.write(early, FRESH, true, NEW).join();
      cb.write(delayedId, FRESH, false, NEW).join();
      cb.flush(pool, Set.of(early.getPg(), delayedId.getPg()), NEW).join();

      // Failover: A's client still routes to a primary that dies; its retries reach the new one.
      ChunkId moved = ca.chunkId(pool, OBJECT, 3);
      refused.add(moved);
      int dead = c.datanodeIndex(primaryNode(ca.maps().current(), moved));
      c.killDatanode(dead);
      assertFenced(ca.write(moved, STALE, false, OLD));
      cb.write(moved, FRESH, false, NEW).join();

      // Restart: the restarted node learns the fence from metadata, not from local state.
      c.restartDatanode(dead);
      c.waitHealthy(Duration.ofSeconds(60));
      ClusterMap now = cb.maps().refresh();
      ChunkId onRestarted = chunkWithPrimary(ca, now, "dn" + dead, pool);
      refused.add(onRestarted);
      r = raw.stub(primaryAddress(now, onRestarted), 10_000).write(staleWrite(now, onRestarted))
          .get(10, TimeUnit.SECONDS);
      assertEquals(ChunkStatus.CHUNK_FENCED, r.getStatus(), r.getMessage());
      assertFenced(ca.write(onRestarted, STALE, false, OLD));
      cb.write(onRestarted, FRESH, true, NEW).join();

      // Never applied: no disk of any node holds the fenced bytes; the new holder reads its own.
      for (ChunkId id : refused) {
        assertNotOnAnyDisk(c, id);
      }
      for (ChunkId id : List.of(early, delayedId, moved, onRestarted)) {
        assertEquals(FRESH, cb.read(id, 0, 0).join().orElseThrow(), "chunk " + id.getIndex());
      }
      assertEquals(FRESH, ca.read(early, 0, 0).join().orElseThrow(), "reads are not fenced");
    }
  }

  @Test
  void fencesRiseWithTransactionsOnlyWhenTheirConditionsHold() throws Exception {
    try (MiniCluster c = MiniCluster.builder().datanodes(1).replication(1, 1).pgCount(4).build()) {
      StrataClient client = c.client();
      String ns = "test";
      KvTxn failing = KvTxn.newBuilder()
          .addConditions(KvCondition.newBuilder().setNamespace(ns).setKey(ByteString.copyFromUtf8("v"))
              .setKind(KvConditionKind.KV_MUST_EXIST))
          .addFences(RaiseFence.newBuilder().setKey("vol/7").setEpoch(5)).build();
      assertThrows(MetaException.class, () -> client.metadata().txnResult(failing));
      assertEquals(0, Fence.current(client.maps().refresh(), "vol/7"));

      KvTxn takeover = KvTxn.newBuilder()
          .addWrites(KvWrite.newBuilder().setNamespace(ns).setKey(ByteString.copyFromUtf8("v"))
              .setValue(ByteString.copyFromUtf8("holder=B")))
          .addFences(RaiseFence.newBuilder().setKey("vol/7").setEpoch(5)).build();
      MetaResult done = client.metadata().txnResult(takeover);
      assertTrue(done.getMapEpoch() > 0);
      client.fencing().await(done.getMapEpoch());
      assertEquals(5, Fence.current(client.maps().current(), "vol/7"));

      client.metadata().raiseFence("vol/7", 3);  // never lowers
      assertEquals(5, Fence.current(client.maps().refresh(), "vol/7"));
      client.metadata().call(io.strata.proto.MetaCommand.newBuilder().setRaiseFence(
          RaiseFence.newBuilder().setKey("vol/7").setDrop(true)).build());
      assertEquals(0, Fence.current(client.maps().refresh(), "vol/7"));
      assertThrows(MetaException.class, () -> client.metadata().raiseFence("", 1));
      assertThrows(MetaException.class, () -> client.metadata().raiseFence("vol/8", 0));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static WriteChunkRequest staleWrite(ClusterMap m, ChunkId id) {
    return WriteChunkRequest.newBuilder().setEpoch(m.getEpoch()).setId(id).setData(STALE)
        .setCrc32C(Checksums.crc32c(STALE.asReadOnlyByteBuffer())).setFence(OLD.toProto()).build();
  }

  private static String primaryNode(ClusterMap m, ChunkId id) {
    PlacementGroup g = ClusterMapCache.group(m, id.getPool(), id.getPg()).orElseThrow();
    return ClusterMapCache.acting(m, g).get(0).getNodeId();
  }

  private static String primaryAddress(ClusterMap m, ChunkId id) {
    return ClusterMapCache.address(m, primaryNode(m, id));
  }

  private static ChunkId chunkWithPrimary(ChunkClient chunks, ClusterMap m, String nodeId, int pool) {
    for (long i = 100; i < 10_000; i++) {
      ChunkId id = chunks.chunkId(pool, OBJECT, i);
      if (primaryNode(m, id).equals(nodeId)) {
        return id;
      }
    }
    throw new IllegalStateException(nodeId + " is primary of no group");
  }

  /** Writes one chunk to every group, so no activation is still pending when we count them. */
  private static void activateAllGroups(ChunkClient chunks, ClusterMap m, int pool) {
    java.util.Map<Integer, CompletableFuture<Long>> byPg = new java.util.HashMap<>();
    ByteString other = ByteString.copyFromUtf8("warm-up");
    for (long i = 0; byPg.size() < m.getGroupsCount() && i < 100_000; i++) {
      ChunkId id = chunks.chunkId(pool, other, i);
      byPg.computeIfAbsent(id.getPg(), pg -> chunks.write(id, other, false));
    }
    byPg.values().forEach(CompletableFuture::join);
  }

  private static void assertFenced(CompletableFuture<?> f) {
    CompletionException e = assertThrows(CompletionException.class, () -> f.orTimeout(90, TimeUnit.SECONDS).join(),
        "a fenced operation must fail");
    ChunkException ce = assertInstanceOf(ChunkException.class, e.getCause());
    assertEquals(ChunkStatus.CHUNK_FENCED, ce.status(), ce.getMessage());
  }

  private static void assertNotOnAnyDisk(MiniCluster c, ChunkId id) {
    byte[] key = ChunkKeys.encode(id);
    for (int n = 0; n < c.numDatanodes(); n++) {
      DatanodeServer dn = c.datanode(n);
      for (SimulatedDisk d : dn.disks()) {
        byte[] stored = d.rawData(key);
        assertFalse(stored != null && ByteString.copyFrom(stored).equals(STALE),
            "fenced bytes of chunk " + id.getIndex() + " on " + d.name());
      }
    }
  }

  private static double counter(String name) {
    return Metrics.global().counter(name, "").sum();
  }
}

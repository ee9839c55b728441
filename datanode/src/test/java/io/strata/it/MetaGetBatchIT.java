package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetadataClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.KvGet;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaQuery;
import io.strata.proto.MetaQueryReply;
import io.strata.proto.MetaStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Concurrent gets leave a client merged into batch queries; each caller still gets its own
 * answer, a bad or missing key among them changes nothing for the others, and every get sees
 * the writes that completed before it was sent.
 */
class MetaGetBatchIT {
  private static MetaQuery get(String namespace, String key) {
    return MetaQuery.newBuilder().setKvGet(KvGet.newBuilder().setNamespace(namespace)
        .setKey(ByteString.copyFromUtf8(key))).build();
  }

  @Test
  void concurrentGetsShareQueriesAndKeepTheirOwnAnswers() throws Exception {
    // Batching is the Raft client's: a local leader answers each get at once, so none wait to share.
    boolean local = io.strata.metadata.server.LocalLeader.enabled();
    io.strata.metadata.server.LocalLeader.enable(false);
    try (MiniCluster c = MiniCluster.builder().datanodes(1).replication(1, 1).pgCount(4).build()) {
      MetadataClient meta = c.client().metadata();
      KvTxn.Builder t = KvTxn.newBuilder();
      for (int i = 0; i < 300; i++) {
        t.addWrites(KvWrite.newBuilder().setNamespace("it").setKey(ByteString.copyFromUtf8("k" + i))
            .setValue(ByteString.copyFromUtf8("v" + i)));
      }
      meta.txn(t.build());
      long queriesBefore = queries();
      List<CompletableFuture<MetaQueryReply>> all = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 300; i++) {
          all.add(meta.query(i % 50 == 7 ? get("", "bad") : i % 50 == 9 ? get("it", "missing" + i) : get("it", "k" + i)));
        }
      }
      for (int n = 0; n < all.size(); n++) {
        int i = n % 300;
        MetaQueryReply r = all.get(n).join();
        if (i % 50 == 7) {
          assertEquals(MetaStatus.META_INVALID_ARGUMENT, r.getStatus(), "an empty namespace is refused");
        } else if (i % 50 == 9) {
          assertEquals(MetaStatus.META_NOT_FOUND, r.getStatus());
        } else {
          assertEquals("v" + i, r.getEntries(0).getValue().toStringUtf8());
        }
      }
      long sent = queries() - queriesBefore;
      assertTrue(sent < all.size(), all.size() + " gets took " + sent + " Raft reads");
      // A get sent after a write completed sees it, batched or not.
      meta.txn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace("it")
          .setKey(ByteString.copyFromUtf8("k1")).setValue(ByteString.copyFromUtf8("new"))).build());
      List<CompletableFuture<MetaQueryReply>> after = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        after.add(meta.query(get("it", "k1")));
      }
      for (CompletableFuture<MetaQueryReply> f : after) {
        assertEquals("new", f.join().getEntries(0).getValue().toStringUtf8());
      }
    } finally {
      io.strata.metadata.server.LocalLeader.enable(local);
    }
  }

  private static long queries() {
    String text = io.strata.common.Metrics.global().renderPrometheus();
    for (String line : text.split("\n")) {
      if (line.startsWith("strata_meta_client_queries_total ")) {
        return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
      }
    }
    throw new IllegalStateException("no query counter");
  }
}

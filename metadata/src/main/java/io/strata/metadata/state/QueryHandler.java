package io.strata.metadata.state;

import com.google.protobuf.ByteString;
import io.strata.metadata.store.MetaStore;
import io.strata.proto.ClusterMap;
import io.strata.proto.KvEntry;
import io.strata.proto.KvGet;
import io.strata.proto.KvScan;
import io.strata.proto.MetaQuery;
import io.strata.proto.MetaQueryReply;
import io.strata.proto.MetaStatus;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/** Read-only queries against the state machine's store and cluster map. */
final class QueryHandler {
  static final int MAX_SCAN_LIMIT = 10_000;
  static final int MAX_BATCH_QUERIES = 1_000;

  private final Supplier<MetaStore> store;
  private final ClusterState cluster;

  QueryHandler(Supplier<MetaStore> store, ClusterState cluster) {
    this.store = store;
    this.cluster = cluster;
  }

  MetaQueryReply handle(org.apache.ratis.thirdparty.com.google.protobuf.ByteString content) {
    MetaQuery q;
    try {
      q = MetaQuery.parseFrom(RatisBytes.input(content));
    } catch (java.io.IOException e) {
      return error(MetaStatus.META_INVALID_ARGUMENT, "unparsable query: " + e.getMessage());
    }
    MetaStore s = store.get();
    if (s == null) {
      return error(MetaStatus.META_UNAVAILABLE, "store is being reloaded");
    }
    if (q.hasBatch()) {
      return batch(s, q.getBatch().getQueriesList());
    }
    return one(s, q);
  }

  /** Several reads at once (clients merge concurrent gets); each answered as if alone. */
  private MetaQueryReply batch(MetaStore s, List<MetaQuery> queries) {
    if (queries.size() > MAX_BATCH_QUERIES) {
      return error(MetaStatus.META_INVALID_ARGUMENT, "batch of " + queries.size() + " queries exceeds " + MAX_BATCH_QUERIES);
    }
    MetaQueryReply.Builder out = MetaQueryReply.newBuilder();
    for (MetaQuery q : queries) {
      out.addBatch(q.hasBatch() ? error(MetaStatus.META_INVALID_ARGUMENT, "nested batch") : one(s, q));
    }
    return out.build();
  }

  private MetaQueryReply one(MetaStore s, MetaQuery q) {
    return switch (q.getQCase()) {
      case KV_GET -> get(s, q.getKvGet());
      case KV_SCAN -> scan(s, q.getKvScan());
      case GET_CLUSTER_MAP -> clusterMap(q.getGetClusterMap().getIfNewerThan());
      case GET_COUNTERS -> MetaQueryReply.newBuilder().setAppliedIndex(s.appliedTermIndex()[1]).build();
      case BATCH, Q_NOT_SET -> error(MetaStatus.META_INVALID_ARGUMENT, "empty query");
    };
  }

  private MetaQueryReply get(MetaStore s, KvGet g) {
    String bad = KvKeys.validate(g.getNamespace(), g.getKey().size());
    if (bad != null) {
      return error(MetaStatus.META_INVALID_ARGUMENT, bad);
    }
    byte[] v = s.get(MetaStore.Cf.KV, KvKeys.key(g.getNamespace(), g.getKey().toByteArray()));
    if (v == null) {
      return error(MetaStatus.META_NOT_FOUND, "no key " + g.getNamespace() + "/" + g.getKey().toStringUtf8());
    }
    return MetaQueryReply.newBuilder().addEntries(entry(g.getKey().toByteArray(), v)).build();
  }

  private MetaQueryReply scan(MetaStore s, KvScan sc) {
    String bad = KvKeys.validate(sc.getNamespace(), Math.max(sc.getPrefix().size(), sc.getStartAfter().size()));
    if (bad != null) {
      return error(MetaStatus.META_INVALID_ARGUMENT, bad);
    }
    int limit = sc.getLimit() == 0 ? 1000 : Math.min(sc.getLimit(), MAX_SCAN_LIMIT);
    byte[] prefix = KvKeys.key(sc.getNamespace(), sc.getPrefix().toByteArray());
    byte[] startAfter = sc.getStartAfter().isEmpty() ? null
        : KvKeys.key(sc.getNamespace(), sc.getStartAfter().toByteArray());
    List<MetaStore.Entry> found = s.scan(MetaStore.Cf.KV, prefix, startAfter, limit + 1);
    MetaQueryReply.Builder b = MetaQueryReply.newBuilder().setTruncated(found.size() > limit);
    for (MetaStore.Entry e : found.subList(0, Math.min(limit, found.size()))) {
      b.addEntries(entry(KvKeys.userKey(sc.getNamespace(), e.key()), e.value()));
    }
    return b.build();
  }

  private MetaQueryReply clusterMap(long ifNewerThan) {
    ClusterMap m = cluster.map();
    MetaQueryReply.Builder b = MetaQueryReply.newBuilder();
    if (m.getEpoch() > ifNewerThan || ifNewerThan == 0) {
      b.setClusterMap(m);
    }
    return b.build();
  }

  private static KvEntry entry(byte[] key, byte[] stored) {
    long version = ByteBuffer.wrap(stored).getLong();
    return KvEntry.newBuilder().setKey(ByteString.copyFrom(key)).setVersion(version)
        .setValue(ByteString.copyFrom(Arrays.copyOfRange(stored, 8, stored.length))).build();
  }

  private static MetaQueryReply error(MetaStatus status, String message) {
    return MetaQueryReply.newBuilder().setStatus(status).setMessage(message).build();
  }
}

package io.strata.metadata.state;

import io.strata.metadata.store.MetaStore;
import io.strata.proto.AllocateIds;
import com.google.protobuf.ByteString;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConflict;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaResult;
import io.strata.proto.MetaStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The generic key space: conditional multi-key transactions and id counters. Each stored value
 * is prefixed with its version, the log index that wrote it, which is what CAS compares against.
 */
final class KvCommands {
  static final int MAX_KEY_BYTES = 4096;
  static final int MAX_VALUE_BYTES = 1 << 20;
  static final int MAX_TXN_OPS = 1000;
  static final long MAX_IDS_PER_CALL = 1_000_000;

  /** Checks and applies a transaction's fence changes; see {@link ClusterCommands}. */
  interface FenceSink {
    String fenceError(java.util.List<io.strata.proto.RaiseFence> changes);

    void applyFences(ApplyContext ctx, java.util.List<io.strata.proto.RaiseFence> changes);

    long mapEpoch();
  }

  MetaResult txn(ApplyContext ctx, KvTxn t, FenceSink fences) {
    String invalid = validate(t);
    if (invalid == null) {
      invalid = fences.fenceError(t.getFencesList());
    }
    if (invalid != null) {
      return Results.error(MetaStatus.META_INVALID_ARGUMENT, invalid);
    }
    for (int i = 0; i < t.getConditionsCount(); i++) {
      KvCondition c = t.getConditions(i);
      byte[] stored = ctx.batch().get(MetaStore.Cf.KV, KvKeys.key(c.getNamespace(), c.getKey().toByteArray()));
      long version = stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
      boolean holds = switch (c.getKind()) {
        case KV_MUST_EXIST -> stored != null;
        case KV_MUST_NOT_EXIST -> stored == null;
        case KV_VERSION_EQUALS -> stored != null && version == c.getVersion();
        default -> false;
      };
      if (!holds) {
        // What the key holds now goes back with the refusal: the writer's retry needs it, and
        // reading it again would cost a second round trip (values are bounded by MAX_VALUE_BYTES).
        KvConflict.Builder found = KvConflict.newBuilder().setConditionIndex(i).setExists(stored != null)
            .setVersion(version);
        if (stored != null) {
          found.setValue(ByteString.copyFrom(stored, Long.BYTES, stored.length - Long.BYTES));
        }
        return Results.error(MetaStatus.META_CONDITION_FAILED, "condition " + c.getKind() + " failed on "
            + c.getNamespace() + "/" + c.getKey().toStringUtf8() + " (version " + version + ")")
            .toBuilder().setConflict(found).build();
      }
    }
    for (KvWrite w : t.getWritesList()) {
      byte[] key = KvKeys.key(w.getNamespace(), w.getKey().toByteArray());
      if (w.getDelete()) {
        ctx.batch().delete(MetaStore.Cf.KV, key);
      } else {
        // The stored form is the version (the applying index) then the value: one copy of it.
        byte[] stored = new byte[Long.BYTES + w.getValue().size()];
        ByteBuffer.wrap(stored).putLong(ctx.index());
        w.getValue().copyTo(stored, Long.BYTES);
        ctx.batch().put(MetaStore.Cf.KV, key, stored);
      }
    }
    fences.applyFences(ctx, t.getFencesList());
    MetaResult.Builder ok = Results.ok().setAppliedIndex(ctx.index());
    if (t.getFencesCount() > 0) {
      ok.setMapEpoch(fences.mapEpoch());
    }
    return ok.build();
  }

  MetaResult allocate(ApplyContext ctx, AllocateIds a) {
    if (a.getCounter().isEmpty() || a.getCount() < 1 || a.getCount() > MAX_IDS_PER_CALL) {
      return Results.error(MetaStatus.META_INVALID_ARGUMENT, "allocate needs a counter and 1.."
          + MAX_IDS_PER_CALL + " ids");
    }
    byte[] key = ("ctr/" + a.getCounter()).getBytes(StandardCharsets.UTF_8);
    byte[] stored = ctx.batch().get(MetaStore.Cf.SYS, key);
    long next = stored == null ? 1 : ByteBuffer.wrap(stored).getLong();
    ctx.batch().put(MetaStore.Cf.SYS, key, ByteBuffer.allocate(8).putLong(next + a.getCount()).array());
    return Results.ok().setFirstId(next).build();
  }

  static String validate(KvTxn t) {
    if (t.getWritesCount() + t.getConditionsCount() + t.getFencesCount() > MAX_TXN_OPS) {
      return "transaction has more than " + MAX_TXN_OPS + " operations";
    }
    for (KvCondition c : t.getConditionsList()) {
      String bad = KvKeys.validate(c.getNamespace(), c.getKey().size());
      if (bad != null) {
        return bad;
      }
    }
    for (KvWrite w : t.getWritesList()) {
      String bad = KvKeys.validate(w.getNamespace(), w.getKey().size());
      if (bad != null) {
        return bad;
      }
      if (w.getValue().size() > MAX_VALUE_BYTES) {
        return "value larger than " + MAX_VALUE_BYTES + " bytes";
      }
    }
    return null;
  }
}

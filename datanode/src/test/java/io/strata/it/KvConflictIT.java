package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetaException;
import io.strata.metadata.client.MetadataClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvConflict;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaStatus;
import org.junit.jupiter.api.Test;

/**
 * A refused transaction names its first failed condition and what that key holds now, so a
 * writer that guessed wrong (the S3 gateway guesses "new key") retries without another read.
 */
class KvConflictIT {
  private static KvCondition cond(String key, KvConditionKind kind, long version) {
    return KvCondition.newBuilder().setNamespace("it").setKey(ByteString.copyFromUtf8(key)).setKind(kind)
        .setVersion(version).build();
  }

  private static KvWrite write(String key, String value) {
    return KvWrite.newBuilder().setNamespace("it").setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build();
  }

  @Test
  void refusalCarriesTheFailedConditionAndTheCurrentEntry() throws Exception {
    try (MiniCluster c = MiniCluster.builder().datanodes(1).replication(1, 1).pgCount(4).build()) {
      MetadataClient meta = c.client().metadata();
      long v1 = meta.txn(KvTxn.newBuilder().addWrites(write("a", "one")).addWrites(write("b", "bee")).build());

      // Condition 0 holds, condition 1 (a must not exist) fails: the refusal carries a's entry.
      MetaException e = assertThrows(MetaException.class, () -> meta.txn(KvTxn.newBuilder()
          .addConditions(cond("b", KvConditionKind.KV_MUST_EXIST, 0))
          .addConditions(cond("a", KvConditionKind.KV_MUST_NOT_EXIST, 0))
          .addConditions(cond("b", KvConditionKind.KV_VERSION_EQUALS, 12345))
          .addWrites(write("a", "two")).build()));
      assertEquals(MetaStatus.META_CONDITION_FAILED, e.status());
      KvConflict k = e.conflict().orElseThrow();
      assertEquals(1, k.getConditionIndex());
      assertTrue(k.getExists());
      assertEquals(v1, k.getVersion());
      assertEquals("one", k.getValue().toStringUtf8());
      assertEquals("one", meta.get("it", "a".getBytes()).orElseThrow().getValue().toStringUtf8(), "nothing applied");

      // A missing key: exists=false, version 0, no value.
      MetaException missing = assertThrows(MetaException.class, () -> meta.txn(KvTxn.newBuilder()
          .addConditions(cond("nope", KvConditionKind.KV_VERSION_EQUALS, v1)).addWrites(write("nope", "x")).build()));
      KvConflict m = missing.conflict().orElseThrow();
      assertEquals(0, m.getConditionIndex());
      assertFalse(m.getExists());
      assertEquals(0, m.getVersion());
      assertTrue(m.getValue().isEmpty());

      // Retrying with the version the refusal reported succeeds.
      meta.txn(KvTxn.newBuilder().addConditions(cond("a", KvConditionKind.KV_VERSION_EQUALS, k.getVersion()))
          .addWrites(write("a", "two")).build());
      assertEquals("two", meta.get("it", "a".getBytes()).orElseThrow().getValue().toStringUtf8());
    }
  }
}

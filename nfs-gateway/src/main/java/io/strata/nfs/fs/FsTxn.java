package io.strata.nfs.fs;

import com.google.protobuf.ByteString;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;

/**
 * One atomic metadata change of a file system: writes, each guarded by what the gateway believes
 * is stored (a version, or absence), so a stale cache can never overwrite a newer record.
 */
public final class FsTxn {
  /** No condition on this write (derived keys such as cookie entries). */
  public static final long ANY = -1;
  /** The key must not exist yet. */
  public static final long ABSENT = 0;

  private final KvTxn.Builder txn = KvTxn.newBuilder();

  public FsTxn put(byte[] key, byte[] value, long expectedVersion) {
    condition(key, expectedVersion);
    txn.addWrites(KvWrite.newBuilder().setNamespace(FsKeys.NAMESPACE).setKey(ByteString.copyFrom(key))
        .setValue(ByteString.copyFrom(value)));
    return this;
  }

  public FsTxn delete(byte[] key, long expectedVersion) {
    condition(key, expectedVersion);
    txn.addWrites(KvWrite.newBuilder().setNamespace(FsKeys.NAMESPACE).setKey(ByteString.copyFrom(key)).setDelete(true));
    return this;
  }

  public FsTxn putInode(long fsid, Inode i) {
    return put(FsKeys.inode(fsid, i.id), InodeCodec.encode(i), i.version);
  }

  public FsTxn require(String namespace, byte[] key, long version) {
    txn.addConditions(KvCondition.newBuilder().setNamespace(namespace).setKey(ByteString.copyFrom(key))
        .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(version));
    return this;
  }

  private void condition(byte[] key, long expected) {
    if (expected == ANY) {
      return;
    }
    KvCondition.Builder c = KvCondition.newBuilder().setNamespace(FsKeys.NAMESPACE).setKey(ByteString.copyFrom(key));
    if (expected == ABSENT) {
      c.setKind(KvConditionKind.KV_MUST_NOT_EXIST);
    } else {
      c.setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(expected);
    }
    txn.addConditions(c);
  }

  public boolean isEmpty() {
    return txn.getWritesCount() == 0;
  }

  KvTxn build() {
    return txn.build();
  }
}

package io.strata.block.volume;

import com.google.protobuf.ByteString;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvWrite;

/**
 * Metadata keys of the block gateway, all in namespace {@value VolumeService#NAMESPACE}:
 * {@code v/<volume>} volume records, {@code s/<volume>/<snapshot>} snapshot records,
 * {@code gc/<layer>} layers whose data awaits deletion, and {@code layers-epoch}, rewritten by
 * every operation that adds or drops a reference to a layer so that deciding "nobody uses this
 * layer any more" is one optimistic transaction.
 */
final class Keys {
  static final ByteString LAYERS_EPOCH = ByteString.copyFromUtf8("layers-epoch");

  private Keys() {}

  static ByteString volume(String name) {
    return ByteString.copyFromUtf8("v/" + name);
  }

  static ByteString snapshot(String volume, String snapshot) {
    return ByteString.copyFromUtf8("s/" + volume + "/" + snapshot);
  }

  static ByteString garbage(long layer) {
    return ByteString.copyFromUtf8("gc/" + layer);
  }

  static KvCondition cond(ByteString key, KvConditionKind kind, long version) {
    return KvCondition.newBuilder().setNamespace(VolumeService.NAMESPACE).setKey(key).setKind(kind)
        .setVersion(version).build();
  }

  /** The condition that {@code key} is unchanged since it was read at {@code version} (0 = absent). */
  static KvCondition unchanged(ByteString key, long version) {
    return version == 0 ? cond(key, KvConditionKind.KV_MUST_NOT_EXIST, 0)
        : cond(key, KvConditionKind.KV_VERSION_EQUALS, version);
  }

  static KvWrite put(ByteString key, byte[] value) {
    return KvWrite.newBuilder().setNamespace(VolumeService.NAMESPACE).setKey(key).setValue(ByteString.copyFrom(value)).build();
  }

  static KvWrite delete(ByteString key) {
    return KvWrite.newBuilder().setNamespace(VolumeService.NAMESPACE).setKey(key).setDelete(true).build();
  }

  static KvWrite touchLayersEpoch() {
    return put(LAYERS_EPOCH, new byte[0]);
  }
}

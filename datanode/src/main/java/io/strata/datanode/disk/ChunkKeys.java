package io.strata.datanode.disk;

import com.google.protobuf.ByteString;
import io.strata.proto.ChunkId;
import java.nio.ByteBuffer;

/**
 * Key layout on a disk: {@code pool(4) pg(4) idLen(2) objectId index(8)}, big-endian, so one
 * placement group is one contiguous range and peering can scan it in key order.
 */
public final class ChunkKeys {
  public static final int MAX_OBJECT_ID_BYTES = 1024;

  private ChunkKeys() {}

  public static byte[] encode(ChunkId id) {
    byte[] obj = id.getObjectId().toByteArray();
    if (obj.length > MAX_OBJECT_ID_BYTES) {
      throw new IllegalArgumentException("object id longer than " + MAX_OBJECT_ID_BYTES + " bytes");
    }
    return ByteBuffer.allocate(18 + obj.length).putInt(id.getPool()).putInt(id.getPg())
        .putShort((short) obj.length).put(obj).putLong(id.getIndex()).array();
  }

  public static ChunkId decode(byte[] key) {
    ByteBuffer b = ByteBuffer.wrap(key);
    int pool = b.getInt();
    int pg = b.getInt();
    int len = b.getShort() & 0xffff;
    if (len > MAX_OBJECT_ID_BYTES || b.remaining() != len + 8) {
      throw new IllegalArgumentException("malformed chunk key of " + key.length + " bytes");
    }
    byte[] obj = new byte[len];
    b.get(obj);
    return ChunkId.newBuilder().setPool(pool).setPg(pg).setObjectId(ByteString.copyFrom(obj))
        .setIndex(b.getLong()).build();
  }

  public static byte[] pgPrefix(int pool, int pg) {
    return ByteBuffer.allocate(8).putInt(pool).putInt(pg).array();
  }
}

package io.strata.datanode.disk;

import io.strata.common.Hashing;
import java.nio.ByteBuffer;

/**
 * The running summary of one placement group on one disk: highest version, record count and an
 * order-independent digest (xor of hash(key, version)). Two members whose summaries match hold
 * the same records, so peering compares these first and lists keys only when they differ.
 */
public record PgMeta(long maxVersion, long count, long digest) {
  static final PgMeta EMPTY = new PgMeta(0, 0, 0);

  static long recordHash(byte[] key, long version) {
    return Hashing.combine(Hashing.hash64(key), version);
  }

  PgMeta replace(byte[] key, RecordHeader old, long newVersion) {
    long d = digest ^ recordHash(key, newVersion);
    long c = count + 1;
    if (old != null) {
      d ^= recordHash(key, old.version());
      c--;
    }
    return new PgMeta(Math.max(maxVersion, newVersion), c, d);
  }

  byte[] encode() {
    return ByteBuffer.allocate(24).putLong(maxVersion).putLong(count).putLong(digest).array();
  }

  static PgMeta decode(byte[] b) {
    ByteBuffer buf = ByteBuffer.wrap(b);
    return new PgMeta(buf.getLong(), buf.getLong(), buf.getLong());
  }
}

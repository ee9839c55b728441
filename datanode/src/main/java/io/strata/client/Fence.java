package io.strata.client;

import io.strata.proto.ClusterMap;
import io.strata.proto.FenceEntry;
import io.strata.proto.FenceToken;

/**
 * A writer's claim to a key space (e.g. a block volume): its key and the epoch it was granted.
 * Datanodes refuse a fenced write or flush with {@code CHUNK_FENCED} once the cluster map holds a
 * higher epoch for the key (see {@link Fencing}). {@link #NONE} is not checked at all.
 */
public record Fence(String key, long epoch) {
  public static final Fence NONE = new Fence("", 0);

  public Fence {
    if (key == null || epoch < 0) {
      throw new IllegalArgumentException("a fence needs a key (empty = none) and an epoch >= 0");
    }
  }

  public boolean isNone() {
    return key.isEmpty();
  }

  public FenceToken toProto() {
    return FenceToken.newBuilder().setKey(key).setEpoch(epoch).build();
  }

  public static Fence of(FenceToken t) {
    return t.getKey().isEmpty() ? NONE : new Fence(t.getKey(), t.getEpoch());
  }

  /** The fence epoch the map holds for {@code key}, 0 if none (fences are sorted by key). */
  public static long current(ClusterMap m, String key) {
    int lo = 0;
    int hi = m.getFencesCount() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      FenceEntry f = m.getFences(mid);
      int c = f.getKey().compareTo(key);
      if (c == 0) {
        return f.getEpoch();
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return 0;
  }

  /** Whether a write with this token may apply under map {@code m}. */
  public static boolean admits(ClusterMap m, FenceToken t) {
    return t.getKey().isEmpty() || t.getEpoch() >= current(m, t.getKey());
  }
}

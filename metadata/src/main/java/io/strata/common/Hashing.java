package io.strata.common;

import java.nio.charset.StandardCharsets;

/** Stable 64-bit hashing (FNV-1a then a finalizer) for placement; never changes between releases. */
public final class Hashing {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Hashing() {}

  public static long hash64(byte[] data) {
    long h = FNV_OFFSET;
    for (byte b : data) {
      h ^= (b & 0xff);
      h *= FNV_PRIME;
    }
    return mix(h);
  }

  public static long hash64(String s) {
    return hash64(s.getBytes(StandardCharsets.UTF_8));
  }

  public static long combine(long a, long b) {
    return mix(a * 31 + b + 0x9e3779b97f4a7c15L);
  }

  /** SplitMix64's finalizer: spreads low-entropy inputs over all 64 bits. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}

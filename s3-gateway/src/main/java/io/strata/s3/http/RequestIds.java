package io.strata.s3.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Request ids: random per process start plus a counter, so logs of one gateway sort by arrival. */
final class RequestIds {
  private static final String PREFIX = hex8(ThreadLocalRandom.current().nextInt());
  private static final AtomicLong COUNTER = new AtomicLong();

  private RequestIds() {}

  static String next() {
    return PREFIX + hex8((int) COUNTER.incrementAndGet());
  }

  /** Eight upper-case hex digits (String.format costs more than the rest of a small GET's headers). */
  static String hex8(int v) {
    char[] c = new char[8];
    for (int i = 7; i >= 0; i--, v >>>= 4) {
      c[i] = "0123456789ABCDEF".charAt(v & 0xF);
    }
    return new String(c);
  }
}

package io.strata.s3.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Request ids: random per process start plus a counter, so logs of one gateway sort by arrival. */
final class RequestIds {
  private static final String PREFIX = String.format("%08X", ThreadLocalRandom.current().nextInt());
  private static final AtomicLong COUNTER = new AtomicLong();

  private RequestIds() {}

  static String next() {
    return PREFIX + String.format("%08X", COUNTER.incrementAndGet());
  }
}

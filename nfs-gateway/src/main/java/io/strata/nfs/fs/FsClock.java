package io.strata.nfs.fs;

import java.time.Instant;

/**
 * Wall-clock nanoseconds that never repeat or go backwards within the gateway, so every change
 * gets a ctime different from the one before it (clients detect changes by ctime).
 */
final class FsClock {
  private long last;

  synchronized long now() {
    Instant i = Instant.now();
    long t = i.getEpochSecond() * 1_000_000_000L + i.getNano();
    last = Math.max(last + 1, t);
    return last;
  }
}

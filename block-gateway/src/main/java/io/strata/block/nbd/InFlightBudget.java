package io.strata.block.nbd;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of READ/WRITE payload in flight across all connections of one server. A connection that
 * finds the budget exhausted stops reading and is woken when others give bytes back, so many
 * busy clients slow down instead of filling the heap.
 */
final class InFlightBudget {
  private final long limitBytes;
  private final AtomicLong usedBytes = new AtomicLong();
  private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();

  InFlightBudget(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  void take(long bytes) {
    usedBytes.addAndGet(bytes);
  }

  void giveBack(long bytes) {
    if (usedBytes.addAndGet(-bytes) < limitBytes) {
      wakeAll();
    }
  }

  boolean exhausted() {
    return usedBytes.get() >= limitBytes;
  }

  /** Runs {@code resume} once there is room again (at once if there already is). */
  void whenRoom(Runnable resume) {
    waiting.add(resume);
    if (!exhausted()) {
      wakeAll();
    }
  }

  private void wakeAll() {
    for (Runnable r : waiting) {
      if (waiting.remove(r)) {
        r.run();
      }
    }
  }

  long usedBytes() {
    return usedBytes.get();
  }
}

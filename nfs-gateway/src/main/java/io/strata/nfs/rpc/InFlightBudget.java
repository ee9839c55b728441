package io.strata.nfs.rpc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes of requests being executed across all connections of a server. A connection that takes
 * the total over the limit pauses its reads; releases wake paused connections in arrival order
 * once the total is below the limit again.
 */
public final class InFlightBudget {
  private final long limitBytes;
  private long used;
  private final ArrayDeque<Runnable> paused = new ArrayDeque<>();

  public InFlightBudget(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  /** Adds {@code bytes}; true if the connection may keep reading. */
  public synchronized boolean acquire(long bytes) {
    used += bytes;
    return used <= limitBytes;
  }

  /** Registers a paused connection's resume action (run once, when the budget allows). */
  public void pause(Runnable resume) {
    boolean now;
    synchronized (this) {
      now = used <= limitBytes;
      if (!now) {
        paused.add(resume);
      }
    }
    if (now) {
      resume.run();
    }
  }

  public void release(long bytes) {
    List<Runnable> wake = new ArrayList<>();
    synchronized (this) {
      used -= bytes;
      while (used <= limitBytes && !paused.isEmpty()) {
        wake.add(paused.poll());
      }
    }
    wake.forEach(Runnable::run);
  }

  public synchronized long used() {
    return used;
  }
}

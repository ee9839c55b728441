package io.strata.common;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/** Named daemon threads: every background thread says what it is in a thread dump. */
public final class Threads {
  private Threads() {}

  public static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread t = new Thread(runnable, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Stops an executor and waits at most {@code seconds} for its running task to end. */
  public static void shutdown(ExecutorService executor, long seconds) {
    executor.shutdownNow();
    try {
      executor.awaitTermination(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

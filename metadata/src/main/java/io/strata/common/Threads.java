package io.strata.common;

import java.util.concurrent.ThreadFactory;

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
}

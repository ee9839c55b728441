package io.strata.nfs.fs;

/**
 * Marks a thread that must not wait (a Netty event loop answering a call from the cache). Every
 * place that would wait on metadata checks it and throws {@link WouldWait} instead; the caller
 * then hands the call to a worker thread and runs it there normally.
 */
public final class NoWait {
  private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> false);

  private NoWait() {}

  /** Thrown where the operation would have to wait. */
  public static final class WouldWait extends RuntimeException {
    private static final WouldWait INSTANCE = new WouldWait();

    private WouldWait() {
      super("would wait", null, false, false);
    }
  }

  public static void check() {
    if (ACTIVE.get()) {
      throw WouldWait.INSTANCE;
    }
  }

  /** Runs {@code body} in no-wait mode; false if it would have had to wait (nothing was done). */
  public static boolean tryRun(Runnable body) {
    ACTIVE.set(true);
    try {
      body.run();
      return true;
    } catch (WouldWait w) {
      return false;
    } finally {
      ACTIVE.set(false);
    }
  }
}

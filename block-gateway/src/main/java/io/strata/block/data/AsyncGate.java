package io.strata.block.data;

import java.util.concurrent.CompletableFuture;

/**
 * Lets mutations run concurrently until someone pauses the gate; then new mutations wait and the
 * pause completes once those in flight have finished. Used to switch a served volume to a new
 * top layer at a snapshot without blocking any thread. Closing it is a pause for good: every
 * later (and every waiting) mutation is refused.
 */
final class AsyncGate {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private int active;
  private boolean paused;
  private boolean closed;
  private CompletableFuture<Void> drained = DONE;
  private CompletableFuture<Void> reopened = DONE;

  synchronized CompletableFuture<Void> enter() {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the device is closed"));
    }
    if (!paused) {
      active++;
      return DONE;
    }
    return reopened.thenCompose(v -> enter());
  }

  synchronized void exit() {
    active--;
    if (paused && active == 0) {
      drained.complete(null);
    }
  }

  synchronized CompletableFuture<Void> pause() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (paused) {
      throw new IllegalStateException("already paused");
    }
    paused = true;
    reopened = new CompletableFuture<>();
    drained = new CompletableFuture<>();
    if (active == 0) {
      drained.complete(null);
    }
    return drained;
  }

  /** Refuses all mutations from now on; completes once those already inside have left. */
  CompletableFuture<Void> close() {
    CompletableFuture<Void> waiting;
    CompletableFuture<Void> done;
    synchronized (this) {
      if (closed) {
        return drained;
      }
      closed = true;
      waiting = reopened;
      if (!paused) {
        paused = true;
        drained = new CompletableFuture<>();
        if (active == 0) {
          drained.complete(null);
        }
      }
      done = drained;
    }
    waiting.complete(null);  // those held by a pause come back in and are refused
    return done;
  }

  void resume() {
    CompletableFuture<Void> r;
    synchronized (this) {
      if (closed) {
        return;
      }
      paused = false;
      r = reopened;
    }
    r.complete(null);
  }
}

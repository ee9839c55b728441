package io.strata.block.data;

import java.util.concurrent.CompletableFuture;

/**
 * Lets mutations run concurrently until someone pauses the gate; then new mutations wait and the
 * pause completes once those in flight have finished. Used to switch a served volume to a new
 * top layer at a snapshot without blocking any thread.
 */
final class AsyncGate {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private int active;
  private boolean paused;
  private CompletableFuture<Void> drained = DONE;
  private CompletableFuture<Void> reopened = DONE;

  synchronized CompletableFuture<Void> enter() {
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

  void resume() {
    CompletableFuture<Void> r;
    synchronized (this) {
      paused = false;
      r = reopened;
    }
    r.complete(null);
  }
}

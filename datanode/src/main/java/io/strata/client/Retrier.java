package io.strata.client;

import io.strata.common.Threads;
import io.strata.proto.ChunkStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a chunk operation until it succeeds, fails for good, or its deadline passes: on a stale
 * map, a moved primary, a missing replica or a transport error it waits (bounded exponential
 * backoff), refreshes the map (one shared refresh for all waiting operations) and tries again.
 * Callers' futures complete on {@link #CALLBACK_THREADS} callback threads, never on the event
 * loop that received a reply: callers may block in their continuations. Callers that never block
 * there ask for {@code inline} completion and save that thread hop (see
 * {@link ChunkClient#completingInline()}).
 */
final class Retrier implements AutoCloseable {
  static final long BACKOFF_MIN_MILLIS = 20;
  static final long BACKOFF_MAX_MILLIS = 1_000;
  static final int CALLBACK_THREADS = 2;

  /** The outcome of one try: a value, a retryable status, or a final failure. */
  record Attempt<T>(T value, ChunkStatus status, String message, long epoch, boolean retry) {
    static <T> Attempt<T> done(T value) {
      return new Attempt<>(value, ChunkStatus.CHUNK_OK, "", 0, false);
    }

    static <T> Attempt<T> retry(ChunkStatus s, String message, long epoch) {
      return new Attempt<>(null, s, message, epoch, true);
    }

    static <T> Attempt<T> from(ChunkStatus s, String message, long epoch, T value) {
      if (s == ChunkStatus.CHUNK_OK) {
        return done(value);
      }
      return new Attempt<>(null, s, message, epoch, ChunkException.retryable(s));
    }
  }

  private final ClusterMapCache maps;
  private final long deadlineMillis;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      Threads.daemon("chunk-client-retry"));
  private final ExecutorService callbacks = Executors.newFixedThreadPool(CALLBACK_THREADS,
      Threads.daemon("chunk-client-callback"));

  Retrier(ClusterMapCache maps, long deadlineMillis) {
    this.maps = maps;
    this.deadlineMillis = deadlineMillis;
  }

  <T> CompletableFuture<T> run(Supplier<CompletableFuture<Attempt<T>>> attempt, String what, boolean inline) {
    CompletableFuture<T> result = new CompletableFuture<>();
    tryOnce(attempt, what, new Call<>(result, inline, System.currentTimeMillis() + deadlineMillis), BACKOFF_MIN_MILLIS);
    return result;
  }

  /** One caller's operation: its future, how it completes, and its deadline. */
  private record Call<T>(CompletableFuture<T> result, boolean inline, long deadline) {}

  private <T> void tryOnce(Supplier<CompletableFuture<Attempt<T>>> attempt, String what, Call<T> call, long backoff) {
    CompletableFuture<Attempt<T>> f;
    try {
      f = attempt.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.exceptionally(t -> Attempt.retry(ChunkStatus.CHUNK_UNAVAILABLE, "transport: " + t, 0)).thenAccept(a -> {
      try {
        next(attempt, what, call, backoff, a);
      } catch (Throwable t) {  // a bug here must fail the operation, never lose it
        finish(call, null, new ChunkException(ChunkStatus.CHUNK_UNAVAILABLE, what + ": " + t));
      }
    });
  }

  /** Finishes on a final outcome or an expired deadline; otherwise schedules the next try. */
  private <T> void next(Supplier<CompletableFuture<Attempt<T>>> attempt, String what, Call<T> call, long backoff,
                        Attempt<T> a) {
    if (!a.retry()) {
      finish(call, a.value(), a.status() == ChunkStatus.CHUNK_OK ? null
          : new ChunkException(a.status(), what + ": " + a.message()));
      return;
    }
    if (System.currentTimeMillis() + backoff > call.deadline()) {
      finish(call, null, new ChunkException(a.status(), what + " gave up after " + deadlineMillis + " ms: "
          + a.message()));
      return;
    }
    long nextBackoff = Math.min(backoff * 2, BACKOFF_MAX_MILLIS);
    Runnable retry = () -> {
      CompletableFuture<?> map;
      try {
        map = maps.atLeast(Math.max(a.epoch(), maps.current().getEpoch() + 1));
      } catch (Throwable t) {
        map = CompletableFuture.failedFuture(t);  // try again on the map we have
      }
      map.whenComplete((m, t) -> tryOnce(attempt, what, call, nextBackoff));
    };
    try {
      timer.schedule(retry, backoff, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      finish(call, null, new ChunkException(a.status(), what + ": client closed"));
    }
  }

  /** Completes a caller's future on a callback thread, or right here if the caller asked. */
  private <T> void finish(Call<T> call, T value, Throwable error) {
    Runnable r = () -> {
      if (error == null) {
        call.result().complete(value);
      } else {
        call.result().completeExceptionally(error);
      }
    };
    if (call.inline()) {
      r.run();
      return;
    }
    try {
      callbacks.execute(r);
    } catch (RejectedExecutionException e) {
      r.run();  // closing: nobody will block on us any more
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    callbacks.shutdown();
  }
}

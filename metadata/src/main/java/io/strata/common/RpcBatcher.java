package io.strata.common;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Merges independent requests to one destination into batch RPCs: while fewer than
 * {@code maxInFlight} batches are outstanding a request leaves at once, otherwise it waits and
 * leaves with the next batch. Under load batches grow; at low load nothing waits. Bounded:
 * a full queue fails the request at once instead of growing.
 *
 * @param <Q> one request
 * @param <R> its reply
 */
public final class RpcBatcher<Q, R> {
  private record Pending<Q, R>(Q request, CompletableFuture<R> reply) {}

  private final Function<List<Q>, CompletableFuture<List<R>>> sender;
  private final ToIntFunction<Q> sizeOf;
  private final int maxInFlight;
  private final int maxBatchItems;
  private final int maxBatchBytes;
  private final int maxQueued;
  private final ArrayDeque<Pending<Q, R>> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean closed;

  public RpcBatcher(Function<List<Q>, CompletableFuture<List<R>>> sender, ToIntFunction<Q> sizeOf,
                    int maxInFlight, int maxBatchItems, int maxBatchBytes, int maxQueued) {
    this.sender = sender;
    this.sizeOf = sizeOf;
    this.maxInFlight = maxInFlight;
    this.maxBatchItems = maxBatchItems;
    this.maxBatchBytes = maxBatchBytes;
    this.maxQueued = maxQueued;
  }

  public CompletableFuture<R> submit(Q request) {
    CompletableFuture<R> f = new CompletableFuture<>();
    synchronized (this) {
      if (closed) {
        f.completeExceptionally(new IllegalStateException("closed"));
        return f;
      }
      if (queue.size() >= maxQueued) {
        f.completeExceptionally(new IllegalStateException("more than " + maxQueued + " requests queued"));
        return f;
      }
      queue.add(new Pending<>(request, f));
    }
    drain();
    return f;
  }

  private void drain() {
    while (true) {
      List<Pending<Q, R>> batch = new ArrayList<>();
      synchronized (this) {
        if (inFlight >= maxInFlight || queue.isEmpty()) {
          return;
        }
        int bytes = 0;
        while (!queue.isEmpty() && batch.size() < maxBatchItems
            && (batch.isEmpty() || bytes + sizeOf.applyAsInt(queue.peek().request()) <= maxBatchBytes)) {
          Pending<Q, R> p = queue.poll();
          bytes += sizeOf.applyAsInt(p.request());
          batch.add(p);
        }
        inFlight++;
      }
      send(batch);
    }
  }

  private void send(List<Pending<Q, R>> batch) {
    List<Q> requests = new ArrayList<>(batch.size());
    batch.forEach(p -> requests.add(p.request()));
    CompletableFuture<List<R>> f;
    try {
      f = sender.apply(requests);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((replies, error) -> {
      synchronized (this) {
        inFlight--;
      }
      for (int i = 0; i < batch.size(); i++) {
        if (error != null) {
          batch.get(i).reply().completeExceptionally(error);
        } else if (replies == null || i >= replies.size()) {
          batch.get(i).reply().completeExceptionally(new IllegalStateException("batch reply has "
              + (replies == null ? 0 : replies.size()) + " of " + batch.size() + " replies"));
        } else {
          batch.get(i).reply().complete(replies.get(i));
        }
      }
      drain();
    });
  }

  /** Fails every queued request; batches already sent complete normally. */
  public void close() {
    List<Pending<Q, R>> left;
    synchronized (this) {
      closed = true;
      left = new ArrayList<>(queue);
      queue.clear();
    }
    left.forEach(p -> p.reply().completeExceptionally(new IllegalStateException("closed")));
  }
}

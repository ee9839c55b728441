package io.strata.metadata.client;

import io.strata.proto.MetaCommand;
import io.strata.proto.MetaResult;
import io.strata.proto.MetaStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Merges concurrent metadata commands into one Raft entry (PERFORMANCE.md rule 1). While fewer
 * than {@link #MAX_IN_FLIGHT} batches are outstanding a command goes out at once; otherwise it
 * waits and leaves with the next batch, so batches grow exactly when the log is the bottleneck.
 * Queue length and batch size are bounded; a full queue fails fast instead of growing.
 */
final class CommandBatcher implements AutoCloseable {
  static final int MAX_IN_FLIGHT = 4;
  static final int MAX_BATCH_COMMANDS = 512;
  static final int MAX_BATCH_BYTES = 4 << 20;
  static final int MAX_QUEUED = 100_000;

  private record Pending(MetaCommand command, CompletableFuture<MetaResult> result) {}

  private final Function<List<MetaCommand>, CompletableFuture<List<MetaResult>>> sender;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean closed;

  CommandBatcher(Function<List<MetaCommand>, CompletableFuture<List<MetaResult>>> sender) {
    this.sender = sender;
  }

  CompletableFuture<MetaResult> submit(MetaCommand c) {
    CompletableFuture<MetaResult> f = new CompletableFuture<>();
    synchronized (this) {
      if (closed) {
        f.completeExceptionally(new MetaException(MetaStatus.META_UNAVAILABLE, "client closed"));
        return f;
      }
      if (queue.size() >= MAX_QUEUED) {
        f.completeExceptionally(new MetaException(MetaStatus.META_UNAVAILABLE,
            "more than " + MAX_QUEUED + " metadata commands queued"));
        return f;
      }
      queue.add(new Pending(c, f));
    }
    drain();
    return f;
  }

  private void drain() {
    while (true) {
      List<Pending> batch;
      synchronized (this) {
        if (inFlight >= MAX_IN_FLIGHT || queue.isEmpty()) {
          return;
        }
        batch = new ArrayList<>();
        int bytes = 0;
        while (!queue.isEmpty() && batch.size() < MAX_BATCH_COMMANDS
            && (batch.isEmpty() || bytes + queue.peek().command().getSerializedSize() <= MAX_BATCH_BYTES)) {
          Pending p = queue.poll();
          bytes += p.command().getSerializedSize();
          batch.add(p);
        }
        inFlight++;
      }
      send(batch);
    }
  }

  private void send(List<Pending> batch) {
    List<MetaCommand> commands = new ArrayList<>(batch.size());
    batch.forEach(p -> commands.add(p.command()));
    CompletableFuture<List<MetaResult>> f;
    try {
      f = sender.apply(commands);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((results, error) -> {
      synchronized (this) {
        inFlight--;
      }
      for (int i = 0; i < batch.size(); i++) {
        if (error != null) {
          batch.get(i).result().completeExceptionally(error);
        } else {
          batch.get(i).result().complete(results.get(i));
        }
      }
      drain();
    });
  }

  @Override
  public void close() {
    List<Pending> left;
    synchronized (this) {
      closed = true;
      left = new ArrayList<>(queue);
      queue.clear();
    }
    left.forEach(p -> p.result().completeExceptionally(new MetaException(MetaStatus.META_UNAVAILABLE, "client closed")));
  }
}

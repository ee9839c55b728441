package io.strata.datanode.disk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Durability for one disk (PERFORMANCE.md rule 8): every applied batch raises {@code written};
 * a sync request notes the {@code written} it must cover and joins the next WAL sync that starts
 * at or after it, so concurrent FLUSHes share one fsync, and a request on a clean disk (nothing
 * written since the last sync) completes at once. The sync runs on this thread, never on the
 * writer's or an event loop's: RocksDB's SyncWAL does not block concurrent writes.
 */
final class WalSyncer implements Runnable {
  /** Something that makes everything written so far durable (WAL and any side files). */
  interface Syncable {
    void syncAll() throws Exception;
  }

  private record Request(long target, CompletableFuture<Void> done) {}

  private final String name;
  private final Syncable target;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong durable = new AtomicLong();
  private final List<Request> waiting = new ArrayList<>();
  private boolean running = true;

  WalSyncer(String name, Syncable target) {
    this.name = name;
    this.target = target;
  }

  /** Called after each applied batch. */
  void wrote() {
    written.incrementAndGet();
  }

  boolean dirty() {
    return durable.get() < written.get();
  }

  CompletableFuture<Void> sync() {
    long t = written.get();
    if (durable.get() >= t) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (this) {
      if (!running) {
        f.completeExceptionally(new DiskException(io.strata.proto.ChunkStatus.CHUNK_IO_ERROR, "disk " + name + " closed"));
        return f;
      }
      waiting.add(new Request(t, f));
      notifyAll();
    }
    return f;
  }

  synchronized void stop() {
    running = false;
    notifyAll();
  }

  @Override
  public void run() {
    List<Request> round = new ArrayList<>();
    while (true) {
      synchronized (this) {
        while (running && waiting.isEmpty()) {
          try {
            wait();
          } catch (InterruptedException e) {
            running = false;
          }
        }
        if (!running && waiting.isEmpty()) {
          return;
        }
        round.addAll(waiting);
        waiting.clear();
      }
      long t = written.get();
      Throwable error = null;
      try {
        target.syncAll();
        durable.accumulateAndGet(t, Math::max);
      } catch (Exception e) {
        error = e instanceof DiskException ? e
            : new DiskException(io.strata.proto.ChunkStatus.CHUNK_IO_ERROR, "sync on " + name + ": " + e.getMessage(), e);
      }
      for (Request r : round) {
        if (error != null) {
          r.done().completeExceptionally(error);
        } else {
          r.done().complete(null);  // every request in this round noted its target before t was read
        }
      }
      round.clear();
    }
  }
}

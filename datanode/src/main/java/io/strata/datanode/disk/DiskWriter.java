package io.strata.datanode.disk;

import io.strata.proto.ChunkStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one writer thread of a disk's RocksDB (PERFORMANCE.md rule 6, BlueStore's kv_sync_thread):
 * it drains whatever is queued into one WriteBatch, writes it once, syncs the WAL once if any
 * operation in the batch asked for durability, then completes every future. Concurrent FLUSHes
 * and synced writes therefore share one fsync, and a sync on a clean disk costs nothing.
 */
final class DiskWriter implements Runnable {
  static final int QUEUE_CAPACITY = 8192;
  static final int MAX_BATCH_OPS = 256;
  static final long ENQUEUE_TIMEOUT_MILLIS = 5000;

  /** A write, tombstone or repair of one record; {@code done} says whether it was applied. */
  record Op(byte[] key, int pool, int pg, RecordHeader header, byte[] data, boolean sync,
            boolean replaceSameVersion, CompletableFuture<Boolean> done) {}

  private final SimulatedDisk disk;
  private final BlockingQueue<Op> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private volatile boolean running = true;

  DiskWriter(SimulatedDisk disk) {
    this.disk = disk;
  }

  CompletableFuture<Boolean> submit(Op op) {
    if (!running) {
      return CompletableFuture.failedFuture(new DiskException(ChunkStatus.CHUNK_IO_ERROR, "disk " + disk.name() + " is closed"));
    }
    try {
      if (!queue.offer(op, ENQUEUE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        op.done().completeExceptionally(new DiskException(ChunkStatus.CHUNK_UNAVAILABLE,
            "disk " + disk.name() + " write queue full (" + QUEUE_CAPACITY + ")"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      op.done().completeExceptionally(e);
    }
    return op.done();
  }

  void stop() {
    running = false;
  }

  @Override
  public void run() {
    List<Op> batch = new ArrayList<>(MAX_BATCH_OPS);
    while (running || !queue.isEmpty()) {
      try {
        Op first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH_OPS - 1);
        disk.applyBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        for (Op op : batch) {
          op.done().completeExceptionally(e);
        }
      } finally {
        batch.clear();
      }
    }
    Op left;
    while ((left = queue.poll()) != null) {
      left.done().completeExceptionally(new DiskException(ChunkStatus.CHUNK_IO_ERROR, "disk " + disk.name() + " closed"));
    }
  }
}

package io.strata.datanode.disk;

import io.strata.proto.ChunkStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The single writer of a disk's RocksDB (PERFORMANCE.md rule 6, BlueStore's kv_sync_thread),
 * with a fast path: whoever submits a small write while nothing is queued and nobody is applying
 * applies it at once on its own thread (no hand-off; the common case at low load). Otherwise the
 * op is queued and the writer thread drains the queue into one WriteBatch. Either way one
 * applier at a time holds {@link #applyLock}, and ops apply in submission order: the fast path
 * is only taken when no earlier op is still queued or being applied ({@link #queued}).
 * Durability is not done here: see {@link WalSyncer}.
 */
final class DiskWriter implements Runnable {
  static final int QUEUE_CAPACITY = 8192;
  static final int MAX_BATCH_OPS = 256;
  static final long ENQUEUE_TIMEOUT_MILLIS = 5000;
  /** Larger writes go to the writer thread, so an event loop never copies megabytes. */
  static final int INLINE_MAX_BYTES = 64 << 10;

  /**
   * A write, tombstone, repair, extent relocation ({@code relocateFrom} = the pointer it must
   * still have) or barrier (key null) of one record; {@code done} says whether it applied.
   */
  record Op(byte[] key, int pool, int pg, RecordHeader header, ByteBuffer data, boolean replaceSameVersion,
            long relocateFrom, CompletableFuture<Boolean> done) {
    Op(byte[] key, int pool, int pg, RecordHeader header, ByteBuffer data, boolean replaceSameVersion) {
      this(key, pool, pg, header, data, replaceSameVersion, ExtentStore.Pointer.NONE, new CompletableFuture<>());
    }

    int bytes() {
      return data == null ? 0 : data.remaining();
    }
  }

  private final SimulatedDisk disk;
  private final BlockingQueue<Op> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final AtomicInteger queued = new AtomicInteger();
  private final ReentrantLock applyLock = new ReentrantLock();
  private volatile boolean running = true;

  DiskWriter(SimulatedDisk disk) {
    this.disk = disk;
  }

  CompletableFuture<Boolean> submit(Op op) {
    if (!running) {
      op.done().completeExceptionally(new DiskException(ChunkStatus.CHUNK_IO_ERROR, "disk " + disk.name() + " is closed"));
      return op.done();
    }
    if (op.bytes() <= INLINE_MAX_BYTES && !disk.faults().delays() && queued.get() == 0 && applyLock.tryLock()) {
      boolean applied = false;
      try {
        if (queued.get() == 0 && running) {
          disk.applier().apply(List.of(op));
          applied = true;
        }
      } catch (RuntimeException e) {
        op.done().completeExceptionally(e);
        applied = true;
      } finally {
        applyLock.unlock();
      }
      if (applied) {
        return op.done();
      }
    }
    queued.incrementAndGet();
    try {
      if (!queue.offer(op, ENQUEUE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        queued.decrementAndGet();
        op.done().completeExceptionally(new DiskException(ChunkStatus.CHUNK_UNAVAILABLE,
            "disk " + disk.name() + " write queue full (" + QUEUE_CAPACITY + ")"));
      }
    } catch (InterruptedException e) {
      queued.decrementAndGet();
      Thread.currentThread().interrupt();
      op.done().completeExceptionally(e);
    }
    return op.done();
  }

  void stop() {
    running = false;
  }

  /** Waits for an inline applier that may still be running (after {@link #stop}). */
  void quiesce() {
    applyLock.lock();
    applyLock.unlock();
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
        applyLock.lock();
        try {
          disk.applier().apply(batch);
        } finally {
          applyLock.unlock();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        for (Op op : batch) {
          op.done().completeExceptionally(e);
        }
      } finally {
        queued.addAndGet(-batch.size());
        batch.clear();
      }
    }
    Op left;
    while ((left = queue.poll()) != null) {
      left.done().completeExceptionally(new DiskException(ChunkStatus.CHUNK_IO_ERROR, "disk " + disk.name() + " closed"));
    }
  }
}

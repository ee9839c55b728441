package io.strata.datanode.disk;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.strata.proto.ChunkStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The single applier of a disk's RocksDB (PERFORMANCE.md rule 6, BlueStore's kv_sync_thread):
 * ops queue in submission order and are applied in batches (one WriteBatch each) by whoever
 * holds {@link #applyLock}. Small ops need no hand-off: submitted from an event loop they are
 * applied at the end of that loop's current iteration, together with everything else that
 * arrived in the same burst; submitted from another thread, at once if nobody is applying.
 * Large ops, and every op of a disk with injected delays, are applied by the disk's writer
 * thread, so no event loop ever copies megabytes or sleeps. Durability is {@link WalSyncer}'s.
 */
final class DiskWriter implements Runnable {
  static final int QUEUE_CAPACITY = 8192;
  static final int MAX_BATCH_OPS = 256;
  static final long IDLE_PARK_MILLIS = 100;
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
  private final Queue<Op> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final ReentrantLock applyLock = new ReentrantLock();
  private final AtomicBoolean loopDrainScheduled = new AtomicBoolean();
  private final Runnable loopDrain = () -> {
    loopDrainScheduled.set(false);
    drainSmall();
  };
  private volatile Thread thread;
  private volatile boolean running = true;

  DiskWriter(SimulatedDisk disk) {
    this.disk = disk;
  }

  CompletableFuture<Boolean> submit(Op op) {
    if (enqueue(op)) {
      startApplying(small(op));
    }
    return op.done();
  }

  /**
   * Queues {@code ops} together, so that they are applied together: a caller off the event loops
   * (extent compaction) then gets batches of up to {@link #MAX_BATCH_OPS} instead of one batch per op.
   */
  void submitAll(List<Op> ops) {
    boolean allSmall = true;
    for (Op op : ops) {
      if (enqueue(op)) {
        allSmall &= small(op);
      }
    }
    startApplying(allSmall);
  }

  /**
   * After queueing: large ops wake the writer thread; small ones are applied by this thread now
   * (off the loops) or at the end of the loop's current burst.
   */
  private void startApplying(boolean small) {
    if (!small) {
      LockSupport.unpark(thread);
      return;
    }
    EventExecutor loop = ThreadExecutorMap.currentExecutor();
    if (loop == null) {
      drainSmall();
    } else if (loopDrainScheduled.compareAndSet(false, true)) {
      loop.execute(loopDrain);
    }
  }

  /** Queues {@code op}, or fails it (closed disk, full queue) and returns false. */
  private boolean enqueue(Op op) {
    if (!running) {
      op.done().completeExceptionally(new DiskException(ChunkStatus.CHUNK_IO_ERROR, "disk " + disk.name() + " is closed"));
      return false;
    }
    if (queued.incrementAndGet() > QUEUE_CAPACITY) {
      queued.decrementAndGet();
      op.done().completeExceptionally(new DiskException(ChunkStatus.CHUNK_UNAVAILABLE,
          "disk " + disk.name() + " write queue full (" + QUEUE_CAPACITY + ")"));
      return false;
    }
    queue.offer(op);
    return true;
  }

  private boolean small(Op op) {
    return op.bytes() <= INLINE_MAX_BYTES && !disk.faults().delays();
  }

  /**
   * Applies queued small ops on this thread while nobody else applies; stops at a large op and
   * leaves it (and what follows) to the writer thread. Whoever holds the lock looks at the queue
   * again after releasing it, so no op is ever left behind.
   */
  private void drainSmall() {
    List<Op> batch = new ArrayList<>();
    while (running && !queue.isEmpty() && applyLock.tryLock()) {
      try {
        Op head;
        while (batch.size() < MAX_BATCH_OPS && (head = queue.peek()) != null && small(head)) {
          batch.add(queue.poll());
        }
        if (batch.isEmpty()) {
          LockSupport.unpark(thread);
          return;
        }
        apply(batch);
      } finally {
        applyLock.unlock();
        batch.clear();
      }
    }
  }

  private void apply(List<Op> batch) {
    try {
      disk.applier().apply(batch);
    } catch (RuntimeException e) {
      for (Op op : batch) {
        op.done().completeExceptionally(e);
      }
    } finally {
      queued.addAndGet(-batch.size());
    }
  }

  void stop() {
    running = false;
    LockSupport.unpark(thread);
  }

  /**
   * Runs {@code work} as the disk's applier (holding the apply lock) on a pool thread, after every
   * op queued before this call: for maintenance that must not interleave with a batch.
   */
  <T> CompletableFuture<T> exclusively(java.util.function.Supplier<T> work) {
    CompletableFuture<T> out = new CompletableFuture<>();
    submit(new Op(null, 0, 0, null, null, false)).whenCompleteAsync((v, t) -> {
      applyLock.lock();
      try {
        out.complete(work.get());
      } catch (RuntimeException e) {
        out.completeExceptionally(e);
      } finally {
        applyLock.unlock();
      }
    });
    return out;
  }

  /** Waits for an applier that may still be running (after {@link #stop}). */
  void quiesce() {
    applyLock.lock();
    applyLock.unlock();
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    List<Op> batch = new ArrayList<>(MAX_BATCH_OPS);
    while (running || !queue.isEmpty()) {
      if (queue.isEmpty()) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_PARK_MILLIS));
        continue;
      }
      applyLock.lock();
      try {
        Op op;
        while (batch.size() < MAX_BATCH_OPS && (op = queue.poll()) != null) {
          batch.add(op);
        }
        if (!batch.isEmpty()) {
          apply(batch);
        }
      } finally {
        applyLock.unlock();
        batch.clear();
      }
    }
    Op left;
    while ((left = queue.poll()) != null) {
      left.done().completeExceptionally(new DiskException(ChunkStatus.CHUNK_IO_ERROR, "disk " + disk.name() + " closed"));
    }
  }
}

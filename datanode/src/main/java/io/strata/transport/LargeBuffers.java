package io.strata.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers of 256 KiB and more (chunk frames: 1 MiB NFS blocks, 4 MiB object chunks, and
 * their O_DIRECT copies), kept for reuse when released.
 *
 * <p>Why not Netty's pooled allocator: its arena frees a chunk as soon as the chunk has once
 * been more than a quarter used and then empties, which is exactly what a stream of megabyte
 * frames does. Every such frame then cost a fresh chunk, zeroed by the JVM and faulted in page
 * by page by the kernel: 18% of all samples of an NFS copy-in profile (`clear_page_erms`,
 * docs/benchmarks.md 2026-12-07). Here a released buffer goes back on a free list of its size
 * class, and only what exceeds {@link #RETAINED_BYTES} is left to the garbage collector.
 *
 * <p>Buffers handed out are not tracked by Netty's leak detector; one that is never released is
 * reclaimed by the GC (they are ordinary {@code ByteBuffer.allocateDirect} memory), not reused.
 */
public final class LargeBuffers {
  /** Smaller requests go to the pooled allocator, where they do not empty whole chunks. */
  public static final int THRESHOLD = 256 << 10;
  /** Size classes: multiples of this, so a 1 MiB + header frame takes 1.25 MiB, not 2. */
  static final int CLASS_BYTES = 256 << 10;
  /** At most this much idle memory is kept for reuse in the whole process. */
  static final long RETAINED_BYTES = 192L << 20;

  private static final LargeBuffers SHARED = new LargeBuffers(RETAINED_BYTES);

  private final ConcurrentHashMap<Integer, ConcurrentLinkedQueue<ByteBuffer>> free = new ConcurrentHashMap<>();
  private final AtomicLong retained = new AtomicLong();
  private final long maxRetained;

  LargeBuffers(long maxRetained) {
    this.maxRetained = maxRetained;
  }

  /** A direct buffer of exactly {@code capacity} bytes (writer index 0), the caller's to release. */
  public static ByteBuf directBuffer(int capacity) {
    return SHARED.allocate(capacity);
  }

  ByteBuf allocate(int capacity) {
    if (capacity < THRESHOLD) {
      return EventLoops.ALLOCATOR.directBuffer(capacity, capacity);
    }
    int size = sizeClass(capacity);
    ByteBuffer b = free.computeIfAbsent(size, s -> new ConcurrentLinkedQueue<>()).poll();
    if (b != null) {
      retained.addAndGet(-size);
    } else {
      b = ByteBuffer.allocateDirect(size);
    }
    b.clear().limit(capacity);
    return new Recycled(this, b.slice(), b);
  }

  static int sizeClass(int capacity) {
    return (int) (((long) capacity + CLASS_BYTES - 1) / CLASS_BYTES * CLASS_BYTES);
  }

  /** Idle bytes kept for reuse. */
  long retainedBytes() {
    return retained.get();
  }

  private void recycle(ByteBuffer whole) {
    int size = whole.capacity();
    if (retained.addAndGet(size) > maxRetained) {
      retained.addAndGet(-size);  // over the bound: the GC's cleaner frees it
      return;
    }
    free.computeIfAbsent(size, s -> new ConcurrentLinkedQueue<>()).offer(whole);
  }

  /** A buffer over a recycled region; its last release puts the region back. */
  private static final class Recycled extends UnpooledUnsafeDirectByteBuf {
    private final LargeBuffers owner;
    private final ByteBuffer whole;

    Recycled(LargeBuffers owner, ByteBuffer view, ByteBuffer whole) {
      super(UnpooledByteBufAllocator.DEFAULT, view, view.capacity());
      this.owner = owner;
      this.whole = whole;
      writerIndex(0);
    }

    @Override
    protected void deallocate() {
      super.deallocate();
      owner.recycle(whole);
    }
  }
}

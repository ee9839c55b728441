package io.strata.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class LargeBuffersTest {
  @Test
  void aReleasedBufferIsReusedAndKeepsItsExactCapacity() {
    int size = (1 << 20) + 100;  // a 1 MiB block plus a frame header
    LargeBuffers pool = new LargeBuffers(64 << 20);
    ByteBuf a = pool.allocate(size);
    assertEquals(size, a.capacity());
    assertEquals(size, a.writableBytes());
    assertTrue(a.isDirect());
    a.writeBytes(new byte[size]);
    long before = pool.retainedBytes();
    ByteBuf slice = a.retainedSlice(0, 10);
    a.release();
    assertEquals(before, pool.retainedBytes(), "a slice still holds it");
    slice.release();
    assertEquals(before + LargeBuffers.sizeClass(size), pool.retainedBytes(), "back on the free list");
    ByteBuf b = pool.allocate(size - 50);
    assertEquals(before, pool.retainedBytes(), "taken from the free list again");
    assertEquals(size - 50, b.capacity());
    assertEquals(0, b.writerIndex());
    b.release();
  }

  @Test
  void smallRequestsComeFromThePooledAllocatorAndIdleMemoryIsBounded() {
    LargeBuffers pool = new LargeBuffers(32 << 20);
    ByteBuf small = pool.allocate(4096);
    assertEquals(4096, small.capacity());
    small.release();
    int n = 16;
    ByteBuf[] all = new ByteBuf[n];
    for (int i = 0; i < n; i++) {
      all[i] = pool.allocate(4 << 20);
    }
    for (ByteBuf b : all) {
      b.release();
    }
    assertEquals(32 << 20, pool.retainedBytes(), "eight of sixteen 4 MiB buffers kept, the rest left to the GC");
  }
}

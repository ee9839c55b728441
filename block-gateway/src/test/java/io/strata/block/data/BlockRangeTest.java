package io.strata.block.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-block walk: no recursion on completed operations, bounded fan-out, failures end it. */
class BlockRangeTest {
  @Test
  void aMillionAlreadyCompletedBlocksDoNotOverflowTheStack() {
    AtomicInteger n = new AtomicInteger();
    long length = 0xFFFF_F000L;  // a 4 GiB TRIM of a never-written disk: every block done at once
    BlockRange.forEach(0, length, 64, p -> {
      n.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }).join();
    assertEquals(length / DataLayout.BLOCK_SIZE_BYTES, n.get());
  }

  @Test
  void pendingBlocksAreStartedAtMostParallelismAtATime() {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    CompletableFuture<Void> all = BlockRange.forEach(100, 1000L * DataLayout.BLOCK_SIZE_BYTES, 64, p -> {
      CompletableFuture<Void> f = new CompletableFuture<>();
      started.add(f);
      return f;
    });
    int completed = 0;
    while (completed < started.size()) {
      int inFlight = started.size() - completed;
      assertTrue(inFlight <= 64, "in flight " + inFlight);
      started.get(completed++).complete(null);
    }
    all.join();
    assertEquals(1001, started.size(), "an unaligned range touches one more block");
  }

  @Test
  void anErrorThrownByAnOperationFailsTheWalkInsteadOfLosingIt() {
    AtomicInteger n = new AtomicInteger();
    CompletableFuture<Void> all = BlockRange.forEach(0, 10_000L * DataLayout.BLOCK_SIZE_BYTES, 64, p -> {
      if (n.incrementAndGet() == 5000) {
        throw new StackOverflowError("simulated");
      }
      return CompletableFuture.completedFuture(null);
    });
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, all::join);
    assertInstanceOf(StackOverflowError.class, e.getCause());
    assertTrue(n.get() < 10_000, "blocks after the failure are not started");
  }

  @Test
  void aLockIsReleasedEvenWhenItsOperationThrowsAnError() {
    BlockLocks locks = new BlockLocks();
    CompletableFuture<Void> first = new CompletableFuture<>();
    CompletableFuture<Void> a = locks.serialize(7, () -> first);
    CompletableFuture<Void> b = locks.<Void>serialize(7, () -> {
      throw new StackOverflowError("simulated");
    });
    CompletableFuture<String> c = locks.serialize(7, () -> CompletableFuture.completedFuture("c"));
    assertFalse(b.isDone(), "waits for the first operation on the block");
    first.complete(null);
    a.join();
    assertInstanceOf(StackOverflowError.class, org.junit.jupiter.api.Assertions.assertThrows(
        CompletionException.class, b::join).getCause());
    assertEquals("c", c.join(), "the block is not left locked");
    assertEquals(0, locks.held());
  }
}

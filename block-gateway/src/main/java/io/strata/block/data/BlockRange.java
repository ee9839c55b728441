package io.strata.block.data;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one asynchronous operation per block of a request with at most
 * {@link DataLayout#BLOCK_PARALLELISM} in flight: a 32 MiB request or a whole-disk TRIM must not
 * put hundreds of thousands of RPCs on the wire at once.
 */
final class BlockRange {
  /** The part of one block a request covers. */
  record Piece(long block, int within, int length, int requestOffset) {
    boolean whole() {
      return within == 0 && length == DataLayout.BLOCK_SIZE_BYTES;
    }
  }

  interface PieceOp {
    CompletableFuture<Void> apply(Piece p);
  }

  private BlockRange() {}

  static Piece piece(long offset, long length, long block) {
    long start = Math.max(offset, block * DataLayout.BLOCK_SIZE_BYTES);
    long end = Math.min(offset + length, (block + 1) * DataLayout.BLOCK_SIZE_BYTES);
    return new Piece(block, (int) (start - block * DataLayout.BLOCK_SIZE_BYTES), (int) (end - start),
        (int) Math.min(Integer.MAX_VALUE, start - offset));
  }

  static CompletableFuture<Void> forEach(long offset, long length, PieceOp op) {
    if (length <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    long first = offset / DataLayout.BLOCK_SIZE_BYTES;
    long end = (offset + length - 1) / DataLayout.BLOCK_SIZE_BYTES + 1;
    AtomicLong next = new AtomicLong(first);
    AtomicBoolean failed = new AtomicBoolean();
    int workers = (int) Math.min(DataLayout.BLOCK_PARALLELISM, end - first);
    CompletableFuture<?>[] all = new CompletableFuture<?>[workers];
    for (int i = 0; i < workers; i++) {
      all[i] = worker(next, end, failed, b -> op.apply(piece(offset, length, b)));
    }
    return CompletableFuture.allOf(all);
  }

  private interface BlockOp {
    CompletableFuture<Void> apply(long block);
  }

  private static CompletableFuture<Void> worker(AtomicLong next, long end, AtomicBoolean failed, BlockOp op) {
    long b = next.getAndIncrement();
    if (b >= end || failed.get()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f;
    try {
      f = op.apply(b);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.whenComplete((v, e) -> {
      if (e != null) {
        failed.set(true);  // stop starting new blocks; the request fails as a whole
      }
    }).thenCompose(v -> worker(next, end, failed, op));
  }
}

package io.strata.block.data;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one asynchronous operation per block (or per unit of blocks, e.g. an extent) of a request
 * with a bounded number in flight: a 32 MiB request or a whole-disk TRIM must not put hundreds of
 * thousands of RPCs on the wire at once.
 *
 * <p>Each worker is a loop, not a recursion: an operation that is already complete (a TRIM of a
 * never-written block needs no RPC) is followed by the next one in the same loop, and only an
 * operation still pending makes the worker continue from that operation's completion. A recursive
 * version overflowed the stack on a 1 GiB TRIM of an empty disk (mkfs.ext4 issues exactly that),
 * and the overflow could strand a request without a reply.
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

  /** The pieces of every block the range touches, in order. */
  static java.util.List<Piece> pieces(long offset, long length) {
    java.util.List<Piece> out = new java.util.ArrayList<>();
    if (length > 0) {
      for (long b = offset / DataLayout.BLOCK_SIZE_BYTES; b <= (offset + length - 1) / DataLayout.BLOCK_SIZE_BYTES; b++) {
        out.add(piece(offset, length, b));
      }
    }
    return out;
  }

  static CompletableFuture<Void> forEach(long offset, long length, int parallelism, PieceOp op) {
    if (length <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    long first = offset / DataLayout.BLOCK_SIZE_BYTES;
    long end = (offset + length - 1) / DataLayout.BLOCK_SIZE_BYTES + 1;
    return walk(first, end, parallelism, b -> op.apply(piece(offset, length, b)));
  }

  interface UnitOp {
    /** The request's bytes [{@code from}, {@code to}) that fall into one unit. */
    CompletableFuture<Void> apply(long from, long to);
  }

  /** One operation per {@code unitBytes}-aligned unit the range touches, clipped to the range. */
  static CompletableFuture<Void> forEachUnit(long offset, long length, long unitBytes, int parallelism, UnitOp op) {
    if (length <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    long first = offset / unitBytes;
    long end = (offset + length - 1) / unitBytes + 1;
    return walk(first, end, parallelism, u -> op.apply(Math.max(offset, u * unitBytes),
        Math.min(offset + length, (u + 1) * unitBytes)));
  }

  private static CompletableFuture<Void> walk(long first, long end, int parallelism, BlockOp op) {
    int workers = (int) Math.min(parallelism, end - first);
    Walk walk = new Walk(first, end, op);
    CompletableFuture<?>[] all = new CompletableFuture<?>[workers];
    for (int i = 0; i < workers; i++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      all[i] = done;
      walk.run(done);
    }
    return CompletableFuture.allOf(all);
  }

  private interface BlockOp {
    CompletableFuture<Void> apply(long block);
  }

  /** The blocks still to start, shared by the workers of one request. */
  private static final class Walk {
    private final AtomicLong next;
    private final long end;
    private final BlockOp op;
    private final AtomicBoolean failed = new AtomicBoolean();

    Walk(long first, long end, BlockOp op) {
      this.next = new AtomicLong(first);
      this.end = end;
      this.op = op;
    }

    /** One worker: starts blocks until one is pending (then resumes from its completion) or none are left. */
    void run(CompletableFuture<Void> done) {
      while (true) {
        long b = next.getAndIncrement();
        if (b >= end || failed.get()) {
          done.complete(null);
          return;
        }
        CompletableFuture<Void> f = start(b);
        if (!f.isDone()) {
          f.whenComplete((v, e) -> {
            if (e != null) {
              fail(done, e);
            } else {
              run(done);
            }
          });
          return;
        }
        if (f.isCompletedExceptionally()) {
          f.whenComplete((v, e) -> fail(done, e));
          return;
        }
      }
    }

    private CompletableFuture<Void> start(long block) {
      try {
        return op.apply(block);
      } catch (Throwable t) {  // an Error too: the request must still complete
        return CompletableFuture.failedFuture(t);
      }
    }

    private void fail(CompletableFuture<Void> done, Throwable e) {
      failed.set(true);  // stop starting new blocks; the request fails as a whole
      done.completeExceptionally(e);
    }
  }
}

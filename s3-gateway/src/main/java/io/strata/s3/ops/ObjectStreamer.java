package io.strata.s3.ops;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.strata.client.ChunkClient;
import io.strata.proto.ChunkStatus;
import io.strata.client.ChunkException;
import io.strata.s3.http.BodyStream;
import io.strata.s3.store.BufferBudget;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.Segment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Streams a byte range of an object chunk by chunk, from the data transport's buffers straight
 * to the socket (no copy): up to {@link #READ_AHEAD_CHUNKS} reads
 * (CRC-verified by the chunk client) run ahead of the socket, the first always and the others
 * while the gateway's shared {@link BufferBudget} has room, and a chunk is written only after
 * the previous write completed, so a slow client holds a bounded number of chunks.
 */
final class ObjectStreamer implements BodyStream {
  record Piece(ByteString objectId, long index, int offset, int length) {}

  private final ChunkClient chunks;
  private final int poolId;
  private final Deque<Piece> pieces;
  private final io.netty.buffer.ByteBuf inline;
  private final BufferBudget budget;
  /** Chunks read ahead of the socket per download (memory: this many chunks, beyond the first from the budget). */
  static final int READ_AHEAD_CHUNKS = 3;

  ObjectStreamer(ChunkClient chunks, int poolId, ObjectRecord o, long start, long length, BufferBudget budget) {
    this.budget = budget;
    this.chunks = chunks;
    this.poolId = poolId;
    this.pieces = plan(o, start, length);
    this.inline = o.inline() == null ? null : Unpooled.wrappedBuffer(o.inline(), (int) start, (int) length);
  }

  /** Splits [start, start+length) of the object into per-chunk reads. */
  static Deque<Piece> plan(ObjectRecord o, long start, long length) {
    Deque<Piece> out = new ArrayDeque<>();
    long segmentStart = 0;
    long end = start + length;
    for (Segment s : o.segments()) {
      long segmentEnd = segmentStart + s.length();
      long from = Math.max(start, segmentStart);
      long to = Math.min(end, segmentEnd);
      ByteString id = ByteString.copyFromUtf8(s.dataId());
      while (from < to) {
        long within = from - segmentStart;
        long index = within / o.chunkBytes();
        int offset = (int) (within % o.chunkBytes());
        int n = (int) Math.min(o.chunkBytes() - offset, to - from);
        out.add(new Piece(id, index, offset, n));
        from += n;
      }
      segmentStart = segmentEnd;
    }
    return out;
  }

  @Override
  public CompletableFuture<Void> writeTo(ChannelHandlerContext ctx) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (inline != null) {
      io.strata.s3.http.GatewayMetrics.SENT_BYTES.add(inline.readableBytes());
      ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultLastHttpContent(inline)).addListener(f -> {
        if (f.isSuccess()) {
          done.complete(null);
        } else {
          done.completeExceptionally(f.cause());
        }
      });
      return done;
    }
    this.ctx = ctx;
    this.done = done;
    ctx.executor().execute(this::pump);
    return done;
  }

  /** A chunk read in flight; {@code budgeted} when it holds shared read-ahead budget. */
  private record Pending(CompletableFuture<ByteBuf> data, int budgeted) {}

  private final ArrayDeque<Pending> ahead = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private CompletableFuture<Void> done;
  private boolean writing;

  /**
   * Event loop only: keeps up to READ_AHEAD_CHUNKS reads in flight (the first without budget),
   * writes in order. A chunk's buffer is the transport's own (direct, CRC-verified): it goes to
   * the socket as it is, and Netty releases it once written.
   */
  private void pump() {
    if (done.isDone()) {
      return;
    }
    while (!pieces.isEmpty() && (ahead.isEmpty()
        || (ahead.size() < READ_AHEAD_CHUNKS && budget.tryAcquire(pieces.peek().length())))) {
      Piece p = pieces.poll();
      int cost = ahead.isEmpty() ? 0 : p.length();
      CompletableFuture<ByteBuf> f = read(p);
      ahead.add(new Pending(f, cost));
      f.whenComplete((d, t) -> ctx.executor().execute(this::pump));
    }
    if (writing) {
      return;
    }
    Pending head = ahead.peek();
    if (head == null) {
      writing = true;
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> finish(f.cause()));
      return;
    }
    if (!head.data().isDone()) {
      return;
    }
    ahead.poll();
    ByteBuf data;
    try {
      data = head.data().join();
    } catch (RuntimeException e) {
      budget.release(head.budgeted());
      failed(e);
      return;
    }
    writing = true;
    int n = data.readableBytes();
    ctx.writeAndFlush(new DefaultHttpContent(data)).addListener(f -> {
      budget.release(head.budgeted());
      writing = false;
      if (f.isSuccess()) {
        io.strata.s3.http.GatewayMetrics.SENT_BYTES.add(n);
        pump();
      } else {
        failed(f.cause());
      }
    });
  }

  private CompletableFuture<ByteBuf> read(Piece p) {
    return chunks.readBuffer(chunks.chunkId(poolId, p.objectId(), p.index()), p.offset(), p.length())
        .thenApply(data -> check(p, data));
  }

  /** The piece's bytes; releases them and fails if the chunk is missing or short. */
  private static ByteBuf check(Piece p, Optional<ByteBuf> data) {
    // A missing or short chunk under a committed object is data loss: fail loudly, never pad.
    int got = data.map(ByteBuf::readableBytes).orElse(-1);
    if (got != p.length()) {
      data.ifPresent(ByteBuf::release);
      throw new ChunkException(ChunkStatus.CHUNK_NOT_FOUND, "chunk " + p.objectId().toStringUtf8() + "#"
          + p.index() + " missing or short (" + got + " of " + p.length() + ")");
    }
    return data.get();
  }

  private void finish(Throwable t) {
    if (t == null) {
      done.complete(null);
    } else {
      failed(t);
    }
  }

  /** Fails the stream; reads still in flight give their buffers and budget back when they end. */
  private void failed(Throwable t) {
    done.completeExceptionally(t);
    for (Pending p : ahead) {
      p.data().whenComplete((d, x) -> {
        if (d != null) {
          d.release();
        }
        budget.release(p.budgeted());
      });
    }
    ahead.clear();
    pieces.clear();
  }
}

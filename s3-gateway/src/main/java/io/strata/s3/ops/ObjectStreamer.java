package io.strata.s3.ops;

import com.google.protobuf.ByteString;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.strata.client.ChunkClient;
import io.strata.proto.ChunkStatus;
import io.strata.client.ChunkException;
import io.strata.s3.http.BodyStream;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.Segment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Streams a byte range of an object chunk by chunk: each piece is read (CRC-verified by the
 * chunk client) while the previous one is being written, and the next read starts only when a
 * write completes, so a slow client holds at most two chunks of memory.
 */
final class ObjectStreamer implements BodyStream {
  record Piece(ByteString objectId, long index, int offset, int length) {}

  private final ChunkClient chunks;
  private final int poolId;
  private final Deque<Piece> pieces;

  ObjectStreamer(ChunkClient chunks, int poolId, ObjectRecord o, long start, long length) {
    this.chunks = chunks;
    this.poolId = poolId;
    this.pieces = plan(o, start, length);
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
    next(ctx, read(pieces.poll()), done);
    return done;
  }

  private CompletableFuture<ByteString> read(Piece p) {
    if (p == null) {
      return null;
    }
    return chunks.read(chunks.chunkId(poolId, p.objectId(), p.index()), p.offset(), p.length())
        .thenApply(data -> check(p, data));
  }

  private static ByteString check(Piece p, Optional<ByteString> data) {
    // A missing or short chunk under a committed object is data loss: fail loudly, never pad.
    if (data.isEmpty() || data.get().size() != p.length()) {
      throw new ChunkException(ChunkStatus.CHUNK_NOT_FOUND, "chunk " + p.objectId().toStringUtf8() + "#"
          + p.index() + " missing or short (" + data.map(ByteString::size).orElse(-1) + " of " + p.length() + ")");
    }
    return data.get();
  }

  private void next(ChannelHandlerContext ctx, CompletableFuture<ByteString> current, CompletableFuture<Void> done) {
    if (current == null) {
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> {
        if (f.isSuccess()) {
          done.complete(null);
        } else {
          done.completeExceptionally(f.cause());
        }
      });
      return;
    }
    current.whenComplete((data, t) -> {
      if (t != null) {
        done.completeExceptionally(t);
        return;
      }
      CompletableFuture<ByteString> following = read(pieces.poll());
      io.strata.s3.http.GatewayMetrics.SENT_BYTES.add(data.size());
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(data.asReadOnlyByteBuffer()))).addListener(f -> {
        if (f.isSuccess()) {
          next(ctx, following, done);
        } else {
          done.completeExceptionally(f.cause());
        }
      });
    });
  }
}

package io.strata.datanode.replication;

import io.grpc.stub.StreamObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.strata.client.Futures;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ReadChunkBatch;
import io.strata.proto.ReadChunkBatchReply;
import io.strata.proto.ReadChunkReply;
import io.strata.proto.ReadChunkRequest;
import io.strata.transport.EventLoops;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Serves a {@link ReadChunkBatch} by running each element through the single-read path and
 * answering once all have answered, in order. One message instead of one RPC per 4 KiB block
 * (PERFORMANCE.md rule 12); every element keeps the lone read's checks, activation wait and repair.
 */
final class ReadBatches {
  /** Elements per batch; a 32 MiB NBD read of 4 KiB blocks is 8192. */
  static final int MAX_READS = 8192;
  /** Bytes a batch may ask for (lengths of 0 count as a whole 4 MiB chunk). */
  static final long MAX_BYTES = 64L << 20;

  /** Bytes a batch on the framed transport may ask for: its reply is one frame. */
  static final long MAX_FRAMED_BYTES = 4L << 20;

  private ReadBatches() {}

  /** A framed batch's answer: the replies, and their bytes one after another as the payload. */
  record Framed(ReadChunkBatchReply header, ByteBuf payload) {}

  /**
   * Serves a batch from the framed transport: each element through the single-read path, the
   * answer once all have answered. Every element must name its length (0, "to the end", could
   * overflow the frame).
   */
  static CompletableFuture<Framed> framed(ReadChunkBatch batch, ReadPath reads) {
    int n = batch.getRequestsCount();
    String bad = n > MAX_READS ? "more than " + MAX_READS + " reads in one batch" : null;
    long bytes = 0;
    for (int i = 0; i < n && bad == null; i++) {
      int len = batch.getRequests(i).getLength();
      bytes += len == 0 ? Long.MAX_VALUE / MAX_READS : len;
    }
    if (bad == null && bytes > MAX_FRAMED_BYTES) {
      bad = "a framed batch asks for more than " + MAX_FRAMED_BYTES + " bytes, or for a length of 0";
    }
    if (bad != null) {
      ReadChunkReply refused = ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).setMessage(bad).build();
      return CompletableFuture.completedFuture(new Framed(ReadChunkBatchReply.newBuilder()
          .addAllReplies(java.util.Collections.nCopies(n, refused)).build(), Unpooled.EMPTY_BUFFER));
    }
    Framed runs = reads.tryRuns(batch);
    if (runs != null) {
      return CompletableFuture.completedFuture(runs);
    }
    List<CompletableFuture<ReadPath.Result>> all = new ArrayList<>(n);
    for (ReadChunkRequest r : batch.getRequestsList()) {
      all.add(reads.read(r).exceptionally(t -> ReadPath.Result.of(ReadChunkReply.newBuilder()
          .setStatus(ChunkStatus.CHUNK_IO_ERROR).setMessage(String.valueOf(t)).build())));
    }
    return Futures.allInOrder(all).thenApply(results -> {
      ReadChunkBatchReply.Builder header = ReadChunkBatchReply.newBuilder();
      CompositeByteBuf payload = EventLoops.ALLOCATOR.compositeDirectBuffer(Math.max(2, n));
      for (ReadPath.Result r : results) {
        int len = r.payload().readableBytes();
        header.addReplies(len == 0 ? r.header() : r.header().toBuilder().setDataLength(len).build());
        if (len > 0) {
          payload.addComponent(true, r.payload());
        } else {
          r.payload().release();
        }
      }
      return new Framed(header.build(), payload);
    });
  }

  static void serve(ReadChunkBatch batch, BiConsumer<ReadChunkRequest, StreamObserver<ReadChunkReply>> read,
                    StreamObserver<ReadChunkBatchReply> out) {
    int n = batch.getRequestsCount();
    String bad = check(batch);
    ReadChunkReply[] replies = new ReadChunkReply[n];
    if (bad != null) {
      ReadChunkReply refused = ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).setMessage(bad).build();
      java.util.Arrays.fill(replies, refused);
      finish(out, replies);
      return;
    }
    if (n == 0) {
      finish(out, replies);
      return;
    }
    AtomicInteger left = new AtomicInteger(n);
    for (int i = 0; i < n; i++) {
      int slot = i;
      read.accept(batch.getRequests(i), new StreamObserver<>() {
        @Override
        public void onNext(ReadChunkReply r) {
          replies[slot] = r;
        }

        @Override
        public void onError(Throwable t) {
          replies[slot] = ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE)
              .setMessage(String.valueOf(t)).build();
          onCompleted();
        }

        @Override
        public void onCompleted() {
          if (left.decrementAndGet() == 0) {
            finish(out, replies);
          }
        }
      });
    }
  }

  private static String check(ReadChunkBatch batch) {
    if (batch.getRequestsCount() > MAX_READS) {
      return "more than " + MAX_READS + " reads in one batch";
    }
    long bytes = 0;
    for (ReadChunkRequest r : batch.getRequestsList()) {
      bytes += r.getLength() == 0 ? 4L << 20 : r.getLength();
    }
    return bytes > MAX_BYTES ? "batch asks for more than " + MAX_BYTES + " bytes" : null;
  }

  private static void finish(StreamObserver<ReadChunkBatchReply> out, ReadChunkReply[] replies) {
    try {
      out.onNext(ReadChunkBatchReply.newBuilder().addAllReplies(java.util.Arrays.asList(replies)).build());
      out.onCompleted();
    } catch (RuntimeException e) {
      // the caller went away (cancelled or deadline); nothing to tell it
    }
  }
}

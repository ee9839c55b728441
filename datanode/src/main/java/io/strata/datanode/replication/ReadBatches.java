package io.strata.datanode.replication;

import io.grpc.stub.StreamObserver;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ReadChunkBatch;
import io.strata.proto.ReadChunkBatchReply;
import io.strata.proto.ReadChunkReply;
import io.strata.proto.ReadChunkRequest;
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

  private ReadBatches() {}

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

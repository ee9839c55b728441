package io.strata.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.strata.common.RpcBatcher;
import io.strata.proto.ChunkServiceGrpc;
import io.strata.proto.ReplicaWrite;
import io.strata.proto.ReplicaWriteBatch;
import io.strata.proto.ReplicaWriteBatchReply;
import io.strata.proto.ReplicaWriteReply;
import io.strata.proto.WriteChunkBatch;
import io.strata.proto.WriteChunkBatchReply;
import io.strata.proto.WriteChunkReply;
import io.strata.proto.WriteChunkRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per datanode address, created on first use and reused, plus per-address
 * batchers that merge concurrent chunk writes (client to primary) and replica writes (primary to
 * replica) into batch RPCs.
 */
public final class PeerChannels implements AutoCloseable {
  public static final int MAX_MESSAGE_BYTES = 64 << 20;
  static final long BATCH_DEADLINE_MILLIS = 15_000;
  static final int BATCH_IN_FLIGHT = 2;
  static final int BATCH_ITEMS = 128;
  static final int BATCH_BYTES = 8 << 20;
  static final int BATCH_QUEUED = 16_384;

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, RpcBatcher<WriteChunkRequest, WriteChunkReply>> writes = new ConcurrentHashMap<>();
  private final Map<String, RpcBatcher<ReplicaWrite, ReplicaWriteReply>> replicas = new ConcurrentHashMap<>();

  /**
   * A batch carries requests of many callers, and may be sent from inside some server call's
   * gRPC context; started there it would be cancelled when that call completes. Batches are
   * therefore always started in the root context.
   */
  static <T> T inRootContext(java.util.function.Supplier<T> call) {
    io.grpc.Context previous = io.grpc.Context.ROOT.attach();
    try {
      return call.get();
    } finally {
      io.grpc.Context.ROOT.detach(previous);
    }
  }

  /** Chunk writes to the primary at {@code address}, batched. */
  public RpcBatcher<WriteChunkRequest, WriteChunkReply> writes(String address) {
    return writes.computeIfAbsent(address, a -> new RpcBatcher<>(
        list -> inRootContext(() -> Futures.of(stub(a, BATCH_DEADLINE_MILLIS).writeBatch(WriteChunkBatch.newBuilder()
            .addAllRequests(list).build())).thenApply(WriteChunkBatchReply::getRepliesList)),
        r -> r.getData().size() + 64, BATCH_IN_FLIGHT, BATCH_ITEMS, BATCH_BYTES, BATCH_QUEUED));
  }

  /** Replica writes to the member at {@code address}, batched. */
  public RpcBatcher<ReplicaWrite, ReplicaWriteReply> replicas(String address) {
    return replicas.computeIfAbsent(address, a -> new RpcBatcher<>(
        list -> inRootContext(() -> Futures.of(stub(a, BATCH_DEADLINE_MILLIS).replicateBatch(ReplicaWriteBatch
            .newBuilder().addAllWrites(list).build())).thenApply(ReplicaWriteBatchReply::getRepliesList)),
        r -> r.getData().size() + 64, BATCH_IN_FLIGHT, BATCH_ITEMS, BATCH_BYTES, BATCH_QUEUED));
  }

  public ChunkServiceGrpc.ChunkServiceFutureStub stub(String address, long deadlineMillis) {
    ManagedChannel ch = channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a)
        .usePlaintext().maxInboundMessageSize(MAX_MESSAGE_BYTES).build());
    return ChunkServiceGrpc.newFutureStub(ch).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
        .withMaxOutboundMessageSize(MAX_MESSAGE_BYTES).withMaxInboundMessageSize(MAX_MESSAGE_BYTES);
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel ch : channels.values()) {
      try {
        ch.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channels.clear();
  }
}

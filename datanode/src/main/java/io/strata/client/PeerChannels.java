package io.strata.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.strata.common.RpcBatcher;
import io.strata.proto.ChunkServiceGrpc;
import io.strata.proto.ReplicaWrite;
import io.strata.proto.ReplicaWriteBatch;
import io.strata.proto.ReplicaWriteBatchReply;
import io.strata.proto.ReplicaWriteReply;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Connections to datanodes, created on first use and reused: one data-transport connection per
 * data address (the hot path: chunk writes, reads, flushes, replica writes), and one gRPC channel
 * per service address (peering, repair, barriers, and the batch RPCs kept for tools and tests).
 */
public final class PeerChannels implements AutoCloseable {
  public static final int MAX_MESSAGE_BYTES = 64 << 20;
  static final long BATCH_DEADLINE_MILLIS = 15_000;
  static final int BATCH_IN_FLIGHT = 2;
  static final int BATCH_ITEMS = 128;
  static final int BATCH_BYTES = 8 << 20;
  static final int BATCH_QUEUED = 16_384;

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, RpcBatcher<ReplicaWrite, ReplicaWriteReply>> replicas = new ConcurrentHashMap<>();
  private final Map<String, io.strata.transport.DataClient> data = new ConcurrentHashMap<>();

  /** The data-transport connection to {@code address} (a datanode's data_address). */
  public io.strata.transport.DataClient data(String address) {
    return data.computeIfAbsent(address, io.strata.transport.DataClient::new);
  }

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
    data.values().forEach(io.strata.transport.DataClient::close);
    data.clear();
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

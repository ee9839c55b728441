package io.strata.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.strata.proto.ChunkServiceGrpc;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One gRPC channel per datanode address, created on first use and reused. */
public final class PeerChannels implements AutoCloseable {
  public static final int MAX_MESSAGE_BYTES = 64 << 20;

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

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

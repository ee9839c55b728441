package io.strata.datanode.replication;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.strata.client.Futures;
import io.strata.client.MapIndex;
import io.strata.datanode.LocalNode;
import io.strata.proto.ChunkStatus;
import io.strata.proto.FlushReply;
import io.strata.proto.FlushRequest;
import io.strata.proto.ReplicaWrite;
import io.strata.proto.ReplicaWriteReply;
import io.strata.transport.Frame;
import io.strata.transport.Kind;
import java.util.concurrent.CompletableFuture;

/**
 * Primary to member messages of the hot path: replica writes and forwarded flushes, over the
 * member's data connection (payload passed on without a copy), or over gRPC for a member that
 * advertises no data address. Failures become replies with CHUNK_UNAVAILABLE, never exceptions.
 */
final class ReplicaLinks {
  static final long DEADLINE_MILLIS = 15_000;

  private final LocalNode node;

  ReplicaLinks(LocalNode node) {
    this.node = node;
  }

  /** Sends one replica write; {@code payload}'s reference passes to this call. */
  CompletableFuture<ReplicaWriteReply> replicate(MapIndex idx, String nodeId, ReplicaWrite header, ByteBuf payload) {
    String data = idx.dataAddress(nodeId);
    CompletableFuture<ReplicaWriteReply> f;
    if (!data.isEmpty()) {
      f = node.channels().data(data).call(Kind.REPLICATE, header, payload, DEADLINE_MILLIS)
          .thenApply(r -> parse(r, ReplicaWriteReply.class));
    } else {
      ReplicaWrite full = header.toBuilder().setData(ByteString.copyFrom(payload.nioBuffer())).build();
      payload.release();
      f = node.channels().replicas(idx.address(nodeId)).submit(full);
    }
    return f.exceptionally(t -> ReplicaWriteReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE)
        .setMessage(String.valueOf(t)).build());
  }

  CompletableFuture<FlushReply> flush(MapIndex idx, String nodeId, FlushRequest req) {
    String data = idx.dataAddress(nodeId);
    CompletableFuture<FlushReply> f = !data.isEmpty()
        ? node.channels().data(data).call(Kind.FLUSH, req, io.netty.buffer.Unpooled.EMPTY_BUFFER, DEADLINE_MILLIS)
            .thenApply(r -> parse(r, FlushReply.class))
        : Futures.of(node.channels().stub(idx.address(nodeId), DEADLINE_MILLIS).flush(req));
    return f.exceptionally(t -> FlushReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE)
        .setMessage(String.valueOf(t)).build());
  }

  /** The header of a reply frame (releasing the frame). */
  static <T extends com.google.protobuf.MessageLite> T parse(Frame f, Class<T> type) {
    try {
      return f.header(type);
    } catch (ClassCastException e) {
      throw new IllegalStateException("unexpected reply " + f.kind());
    } finally {
      f.release();
    }
  }
}

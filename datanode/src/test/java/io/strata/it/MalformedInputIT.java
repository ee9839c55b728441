package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkServiceGrpc;
import io.strata.proto.ChunkStatus;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaCommand;
import io.strata.proto.MetaStatus;
import io.strata.proto.ReadChunkRequest;
import io.strata.proto.WriteChunkReply;
import io.strata.proto.WriteChunkRequest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Garbage on every interface gets an error; the servers keep serving and nothing is corrupted. */
class MalformedInputIT {
  static MiniCluster c;
  static ChunkId sentinel;
  static byte[] sentinelData = "the sentinel".getBytes();

  @BeforeAll
  static void start() throws Exception {
    c = MiniCluster.builder().build();
    sentinel = c.client().chunks().chunkId(c.poolId(), ByteString.copyFromUtf8("sentinel"), 0);
    c.client().chunks().write(sentinel, ByteString.copyFrom(sentinelData), true).join();
  }

  @AfterAll
  static void stop() {
    c.close();
  }

  static void stillServes() {
    assertArrayEquals(sentinelData, c.client().chunks().read(sentinel, 0, 0).join().orElseThrow().toByteArray());
  }

  static String address(int node) {
    return "127.0.0.1:" + c.datanode(node).port();
  }

  /** A marshaller that sends raw bytes, so we can put anything on the wire as a request. */
  static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
  };

  @Test
  void randomProtobufBytesGetAnErrorNotACrash() {
    ManagedChannel ch = NettyChannelBuilder.forTarget(address(0)).usePlaintext().build();
    try {
      Random r = new Random(1234);
      for (io.grpc.MethodDescriptor<?, ?> m : ChunkServiceGrpc.getServiceDescriptor().getMethods()) {
        String method = m.getBareMethodName();
        MethodDescriptor<byte[], byte[]> md = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("strata.ChunkService", method))
            .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
        for (int i = 0; i < 20; i++) {
          byte[] junk = new byte[r.nextInt(200)];
          r.nextBytes(junk);
          try {
            ClientCalls.blockingUnaryCall(ch, md, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), junk);
          } catch (StatusRuntimeException e) {
            // an error status is the right answer to garbage
          }
        }
      }
    } finally {
      ch.shutdownNow();
    }
    stillServes();
  }

  @Test
  void invalidButWellFormedRequestsAreRefusedWithStatuses() {
    // Another test of this class may have disturbed the cluster (in one CI run, two datanodes
    // were marked down right after the garbage-entry test): start from a healthy one, and give
    // each call its own deadline.
    c.waitHealthy(java.time.Duration.ofSeconds(60));
    ManagedChannel ch = NettyChannelBuilder.forTarget(address(1)).usePlaintext().build();
    try {
      assertEquals(ChunkStatus.CHUNK_INVALID, fresh(ch).write(WriteChunkRequest.getDefaultInstance()).getStatus());
      WriteChunkReply badCrc = fresh(ch).write(WriteChunkRequest.newBuilder().setEpoch(c.currentMap().getEpoch())
          .setId(sentinel).setData(ByteString.copyFromUtf8("evil")).setCrc32C(1).build());
      assertEquals(ChunkStatus.CHUNK_CHECKSUM_MISMATCH, badCrc.getStatus());
      assertEquals(ChunkStatus.CHUNK_INVALID, fresh(ch).write(WriteChunkRequest.newBuilder().setEpoch(c.currentMap().getEpoch())
          .setId(sentinel).setDelete(true).setMergeOr(true).build()).getStatus(), "a merged delete means nothing");
      ChunkId huge = sentinel.toBuilder().setObjectId(ByteString.copyFrom(new byte[5000])).build();
      assertEquals(ChunkStatus.CHUNK_INVALID, fresh(ch).read(ReadChunkRequest.newBuilder().setId(huge).build()).getStatus());
      ChunkId noGroup = sentinel.toBuilder().setPg(999_999).build();
      assertNotEquals(ChunkStatus.CHUNK_OK, fresh(ch).read(ReadChunkRequest.newBuilder()
          .setEpoch(c.currentMap().getEpoch()).setId(noGroup).build()).getStatus());
      assertEquals(ChunkStatus.CHUNK_UNAVAILABLE, fresh(ch).mapBarrier(io.strata.proto.MapBarrierRequest.newBuilder()
          .setEpoch(Long.MAX_VALUE).build()).getStatus(), "a barrier at an epoch nobody has fails, it does not hang");
    } finally {
      ch.shutdownNow();
    }
    stillServes();
  }

  private static ChunkServiceGrpc.ChunkServiceBlockingStub fresh(ManagedChannel ch) {
    return ChunkServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void nonHttp2BytesOnTheGrpcPortDropTheConnection() throws Exception {
    for (int i = 0; i < 5; i++) {
      try (Socket s = new Socket("127.0.0.1", c.datanode(2).port())) {
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n\u0000\u0001garbage".getBytes());
        out.flush();
        byte[] buf = new byte[4096];
        try {
          while (s.getInputStream().read(buf) >= 0) {
            // drain until the server closes
          }
        } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
          // closed or silent: either way the server decides, not us
        }
      }
    }
    stillServes();
  }

  @Test
  void metadataRejectsInvalidCommandsAndGarbageEntries() {
    var meta = c.client().metadata();
    var r = meta.submit(MetaCommand.newBuilder().setKvTxn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder()
        .setNamespace("").setKey(ByteString.copyFromUtf8("k")))).build()).join();
    assertEquals(MetaStatus.META_INVALID_ARGUMENT, r.getStatus());
    assertEquals(MetaStatus.META_INVALID_ARGUMENT, meta.submit(MetaCommand.getDefaultInstance()).join().getStatus());
    var big = meta.submit(MetaCommand.newBuilder().setKvTxn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder()
        .setNamespace("x").setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFrom(new byte[(1 << 20) + 1]))))
        .build()).join();
    assertEquals(MetaStatus.META_INVALID_ARGUMENT, big.getStatus());
    // Raw garbage as a Raft request: refused by the leader before it reaches the log.
    try (var raw = org.apache.ratis.client.RaftClient.newBuilder()
        .setProperties(io.strata.metadata.server.RatisSettings.common())
        .setRaftGroup(io.strata.metadata.server.MetadataServer.group(c.metadataPeers()))
        .setRetryPolicy(org.apache.ratis.retry.RetryPolicies.retryUpToMaximumCountWithFixedSleep(3,
            org.apache.ratis.util.TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build()) {
      byte[] junk = new byte[64];
      new Random(5).nextBytes(junk);
      assertThrows(Exception.class, () -> {
        var reply = raw.io().send(org.apache.ratis.protocol.Message.valueOf(
            org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(junk)));
        if (!reply.isSuccess()) {
          throw new IllegalStateException("refused: " + reply.getException());
        }
      });
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    assertTrue(meta.allocateIds("after-garbage", 1) > 0, "metadata still serves");
    stillServes();
  }
}

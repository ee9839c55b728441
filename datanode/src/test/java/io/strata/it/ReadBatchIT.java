package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.ClusterMapCache;
import io.strata.client.PeerChannels;
import io.strata.common.Checksums;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.PlacementGroup;
import io.strata.proto.ReadChunkBatch;
import io.strata.proto.ReadChunkBatchReply;
import io.strata.proto.ReadChunkReply;
import io.strata.proto.ReadChunkRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.strata.client.MapIndex;
import io.strata.common.Metrics;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.Member;
import io.strata.transport.DataClient;
import io.strata.transport.Frame;
import io.strata.transport.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** ReadBatch answers each element as a lone Read would, in order, and refuses oversized batches. */
class ReadBatchIT {
  @Test
  void batchReadsAnswerEachElementInOrder() throws Exception {
    try (MiniCluster c = MiniCluster.builder().build(); PeerChannels raw = new PeerChannels()) {
      ChunkClient chunks = c.client().chunks();
      ByteString object = ByteString.copyFromUtf8("batch-object");
      // Every chunk of the batch in one group, as the block gateway places one extent.
      ChunkId first = chunks.chunkId(c.poolId(), object, 0);
      ChunkId[] ids = new ChunkId[4];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = first.toBuilder().setIndex(i).build();
      }
      chunks.write(ids[0], ByteString.copyFromUtf8("zero"), false).join();
      chunks.write(ids[2], ByteString.copyFromUtf8("two, longer"), false).join();
      chunks.write(ids[3], ByteString.EMPTY, false).join();
      ClusterMap m = chunks.maps().refresh();
      PlacementGroup g = ClusterMapCache.group(m, c.poolId(), first.getPg()).orElseThrow();
      String primary = ClusterMapCache.address(m, ClusterMapCache.acting(m, g).get(0).getNodeId());

      ReadChunkBatch.Builder b = ReadChunkBatch.newBuilder();
      for (ChunkId id : ids) {
        b.addRequests(ReadChunkRequest.newBuilder().setEpoch(m.getEpoch()).setId(id));
      }
      b.addRequests(ReadChunkRequest.newBuilder().setEpoch(m.getEpoch()).setId(ids[2]).setOffset(5).setLength(3));
      b.addRequests(ReadChunkRequest.newBuilder().setEpoch(m.getEpoch()));  // no id
      ReadChunkBatchReply r = raw.stub(primary, 10_000).readBatch(b.build()).get(10, TimeUnit.SECONDS);
      assertEquals(6, r.getRepliesCount());
      assertData(r.getReplies(0), "zero");
      assertEquals(ChunkStatus.CHUNK_NOT_FOUND, r.getReplies(1).getStatus());
      assertData(r.getReplies(2), "two, longer");
      assertData(r.getReplies(3), "");
      assertData(r.getReplies(4), "lon");
      assertEquals(ChunkStatus.CHUNK_INVALID, r.getReplies(5).getStatus());

      ReadChunkBatch.Builder huge = ReadChunkBatch.newBuilder();
      for (int i = 0; i < 8193; i++) {
        huge.addRequests(ReadChunkRequest.newBuilder().setEpoch(m.getEpoch()).setId(ids[0]).setLength(1));
      }
      ReadChunkBatchReply refused = raw.stub(primary, 10_000).readBatch(huge.build()).get(10, TimeUnit.SECONDS);
      assertEquals(ChunkStatus.CHUNK_INVALID, refused.getReplies(0).getStatus());
    }
  }

  /**
   * The client's batch on the framed transport: each element as a lone read would return it, a
   * corrupt copy read again by itself (and repaired), and a batch that could overflow its reply
   * frame refused.
   */
  @Test
  void framedBatchReadsThroughTheClient() throws Exception {
    try (MiniCluster c = MiniCluster.builder().build(); PeerChannels raw = new PeerChannels()) {
      ChunkClient chunks = c.client().chunks();
      ChunkId first = chunks.chunkId(c.poolId(), ByteString.copyFromUtf8("framed-batch"), 0);
      ChunkId[] ids = new ChunkId[5];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = first.toBuilder().setIndex(i).build();
      }
      byte[] big = new byte[8192];
      new Random(9).nextBytes(big);
      byte[] flipped = new byte[4096];
      new Random(10).nextBytes(flipped);
      chunks.write(ids[0], ByteString.copyFromUtf8("zero"), false).join();
      chunks.write(ids[2], ByteString.copyFrom(big), false).join();
      chunks.write(ids[3], ByteString.EMPTY, false).join();
      chunks.write(ids[4], ByteString.copyFrom(flipped), true).join();
      MapIndex idx = chunks.maps().index();
      Member primary = idx.acting(c.poolId(), first.getPg()).get(0);
      SimulatedDisk disk = c.datanode(c.datanodeIndex(primary.getNodeId())).disk(primary.getDiskIndex());
      assertTrue(disk.corruptAtRest(ChunkKeys.encode(ids[4]), 100));
      LongAdder failedChecks = Metrics.global().counter("strata_client_read_checksum_failures_total", "");
      long before = failedChecks.sum();

      List<ChunkId> ask = List.of(ids[0], ids[1], ids[2], ids[2], ids[3], ids[4]);
      int[] offsets = {0, 0, 0, 100, 0, 0};
      int[] lengths = {4096, 4096, 8192, 50, 4096, 4096};
      List<Optional<ByteBuf>> got = new ArrayList<>();
      for (CompletableFuture<Optional<ByteBuf>> f : chunks.readBatch(ask, offsets, lengths).get(30, TimeUnit.SECONDS)) {
        got.add(f.get(30, TimeUnit.SECONDS));
      }
      assertArrayEquals("zero".getBytes(), bytes(got.get(0)));
      assertTrue(got.get(1).isEmpty(), "a chunk never written");
      assertArrayEquals(big, bytes(got.get(2)));
      assertArrayEquals(Arrays.copyOfRange(big, 100, 150), bytes(got.get(3)));
      assertArrayEquals(new byte[0], bytes(got.get(4)), "a stored empty chunk");
      assertArrayEquals(flipped, bytes(got.get(5)), "the corrupt copy is never returned");
      assertTrue(failedChecks.sum() > before, "the corrupt element failed the client's check");
      assertArrayEquals(flipped, disk.rawData(ChunkKeys.encode(ids[4])), "and was repaired by its lone read");

      DataClient data = raw.data(idx.dataAddress(primary.getNodeId()));
      ReadChunkBatch wholeChunk = ReadChunkBatch.newBuilder().addRequests(ReadChunkRequest.newBuilder()
          .setEpoch(idx.map().getEpoch()).setId(ids[0])).build();  // length 0: could be 8 MiB
      assertRefused(data.call(Kind.READ_BATCH, wholeChunk, Unpooled.EMPTY_BUFFER, 10_000).get(10, TimeUnit.SECONDS));
      ReadChunkBatch.Builder tooMuch = ReadChunkBatch.newBuilder();
      for (int i = 0; i < 2; i++) {
        tooMuch.addRequests(ReadChunkRequest.newBuilder().setEpoch(idx.map().getEpoch()).setId(ids[2]).setLength(3 << 20));
      }
      assertRefused(data.call(Kind.READ_BATCH, tooMuch.build(), Unpooled.EMPTY_BUFFER, 10_000).get(10, TimeUnit.SECONDS));
    }
  }

  /**
   * Blocks written together are packed block after block; a batch reading them is served run by
   * run (one read each), and a corrupt block inside a run is still never returned: the client's
   * check catches it, its lone read repairs it.
   */
  @Test
  void packedBlocksReadAsRuns() throws Exception {
    try (MiniCluster c = MiniCluster.builder().build()) {
      ChunkClient chunks = c.client().chunks();
      for (int d = 0; d < c.numDatanodes(); d++) {
        c.datanode(d).disks().forEach(SimulatedDisk::packEveryBatch);  // packed however the writes batch
      }
      ChunkId first = chunks.chunkId(c.poolId(), ByteString.copyFromUtf8("runs"), 0);
      int n = 64;
      byte[][] data = new byte[n][4096];
      List<CompletableFuture<Long>> writes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        new Random(100 + i).nextBytes(data[i]);
        writes.add(chunks.write(first.toBuilder().setIndex(i).build(), ByteString.copyFrom(data[i]), false));
      }
      writes.forEach(CompletableFuture::join);
      MapIndex idx = chunks.maps().index();
      Member primary = idx.acting(c.poolId(), first.getPg()).get(0);
      SimulatedDisk disk = c.datanode(c.datanodeIndex(primary.getNodeId())).disk(primary.getDiskIndex());
      for (int i = 0; i < n; i++) {
        assertTrue(disk.header(ChunkKeys.encode(first.toBuilder().setIndex(i).build())).packed());
      }
      assertTrue(disk.corruptAtRest(ChunkKeys.encode(first.toBuilder().setIndex(7).build()), 4242));
      LongAdder runs = Metrics.global().counter("strata_chunk_read_runs_total", "");
      long before = runs.sum();

      List<ChunkId> ask = new ArrayList<>();
      int[] offsets = new int[n];
      int[] lengths = new int[n];
      for (int i = 0; i < n; i++) {
        ask.add(first.toBuilder().setIndex(i).build());
        lengths[i] = 4096;
      }
      List<CompletableFuture<Optional<ByteBuf>>> got = chunks.readBatch(ask, offsets, lengths).get(30, TimeUnit.SECONDS);
      for (int i = 0; i < n; i++) {
        assertArrayEquals(data[i], bytes(got.get(i).get(30, TimeUnit.SECONDS)), "block " + i);
      }
      assertTrue(runs.sum() > before, "the batch was read run by run");
      assertArrayEquals(data[7], disk.rawData(ChunkKeys.encode(ask.get(7))), "the corrupt block was repaired");
    }
  }

  private static void assertRefused(Frame f) {
    try {
      ReadChunkBatchReply r = f.header(ReadChunkBatchReply.class);
      assertTrue(r.getRepliesCount() > 0);
      r.getRepliesList().forEach(e -> assertEquals(ChunkStatus.CHUNK_INVALID, e.getStatus()));
      assertEquals(0, f.payload().readableBytes());
    } finally {
      f.release();
    }
  }

  private static byte[] bytes(Optional<ByteBuf> b) {
    ByteBuf buf = b.orElseThrow();
    try {
      byte[] out = new byte[buf.readableBytes()];
      buf.readBytes(out);
      return out;
    } finally {
      buf.release();
    }
  }

  private static void assertData(ReadChunkReply r, String expected) {
    assertEquals(ChunkStatus.CHUNK_OK, r.getStatus(), r.getMessage());
    assertEquals(expected, r.getData().toStringUtf8());
    assertEquals(Checksums.crc32c(r.getData().asReadOnlyByteBuffer()), r.getCrc32C());
  }
}

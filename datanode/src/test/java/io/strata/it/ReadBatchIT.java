package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.concurrent.TimeUnit;
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

  private static void assertData(ReadChunkReply r, String expected) {
    assertEquals(ChunkStatus.CHUNK_OK, r.getStatus(), r.getMessage());
    assertEquals(expected, r.getData().toStringUtf8());
    assertEquals(Checksums.crc32c(r.getData().asReadOnlyByteBuffer()), r.getCrc32C());
  }
}

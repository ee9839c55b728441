package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.RangeIo;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import io.strata.proto.ClusterMap;
import io.strata.proto.Member;
import io.strata.proto.PlacementGroup;
import io.strata.client.ClusterMapCache;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Replicated chunk and range I/O on a healthy three-node cluster. */
class ReplicatedChunkIT {
  static MiniCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniCluster.builder().build();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void writeThenReadReturnsSameBytesFromThreeReplicas() {
    ChunkClient chunks = cluster.client().chunks();
    byte[] data = new byte[64 * 1024];
    new Random(7).nextBytes(data);
    ChunkId id = chunks.chunkId(cluster.poolId(), ByteString.copyFromUtf8("obj-a"), 3);
    long version = chunks.write(id, ByteString.copyFrom(data), true).join();
    assertTrue(version > 0);
    assertArrayEquals(data, chunks.read(id, 0, 0).join().orElseThrow().toByteArray());
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, 600),
        chunks.read(id, 100, 500).join().orElseThrow().toByteArray());

    // Every acting member holds the record at the same version with a matching checksum.
    ClusterMap m = cluster.currentMap();
    PlacementGroup g = ClusterMapCache.group(m, id.getPool(), id.getPg()).orElseThrow();
    assertEquals(3, g.getMembersCount());
    for (Member member : g.getMembersList()) {
      SimulatedDisk disk = cluster.datanode(cluster.datanodeIndex(member.getNodeId())).disk(member.getDiskIndex());
      SimulatedDisk.Stored s = disk.read(ChunkKeys.encode(id));
      assertEquals(version, s.header().version(), "version on " + member.getNodeId());
      assertTrue(s.checksumOk());
      assertArrayEquals(data, s.data());
    }
  }

  /**
   * Many writers set different bits of one chunk at once with OR-merge writes: the primary merges
   * them one at a time, so the stored chunk holds every bit on every replica, each copy with a
   * matching checksum, and a stored tail longer than the write stays.
   */
  @Test
  void concurrentMergedWritesKeepEveryWritersBits() {
    ChunkClient chunks = cluster.client().chunks();
    ChunkId id = chunks.chunkId(cluster.poolId(), ByteString.copyFromUtf8("obj-merge"), 0);
    byte[] tail = new byte[4096 + 16];
    tail[4096 + 3] = 0x5a;
    chunks.write(id, ByteString.copyFrom(tail), false).join();
    java.util.List<java.util.concurrent.CompletableFuture<Long>> all = new java.util.ArrayList<>();
    for (int bit = 0; bit < 256; bit++) {
      byte[] page = new byte[4096];
      page[bit * 16 / 8] |= (byte) (1 << (bit * 16 % 8));
      all.add(chunks.writeMerged(id, ByteString.copyFrom(page), io.strata.client.Fence.NONE));
    }
    all.forEach(java.util.concurrent.CompletableFuture::join);
    byte[] expected = tail.clone();
    for (int bit = 0; bit < 256; bit++) {
      expected[bit * 16 / 8] |= (byte) (1 << (bit * 16 % 8));
    }
    assertArrayEquals(expected, chunks.read(id, 0, 0).join().orElseThrow().toByteArray());
    ClusterMap m = cluster.currentMap();
    PlacementGroup g = ClusterMapCache.group(m, id.getPool(), id.getPg()).orElseThrow();
    for (Member member : g.getMembersList()) {
      SimulatedDisk.Stored s = cluster.datanode(cluster.datanodeIndex(member.getNodeId()))
          .disk(member.getDiskIndex()).read(ChunkKeys.encode(id));
      assertTrue(s.checksumOk(), "checksum on " + member.getNodeId());
      assertArrayEquals(expected, s.data(), "bytes on " + member.getNodeId());
    }
    // Over nothing stored, a merge is a plain write.
    ChunkId fresh = chunks.chunkId(cluster.poolId(), ByteString.copyFromUtf8("obj-merge-fresh"), 0);
    chunks.writeMerged(fresh, ByteString.copyFromUtf8("abc"), io.strata.client.Fence.NONE).join();
    assertArrayEquals("abc".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        chunks.read(fresh, 0, 0).join().orElseThrow().toByteArray());
  }

  @Test
  void deleteMakesChunkNotFound() {
    ChunkClient chunks = cluster.client().chunks();
    ChunkId id = chunks.chunkId(cluster.poolId(), ByteString.copyFromUtf8("obj-del"), 0);
    chunks.write(id, ByteString.copyFromUtf8("hello"), false).join();
    assertTrue(chunks.read(id, 0, 0).join().isPresent());
    chunks.delete(id).join();
    assertEquals(Optional.empty(), chunks.read(id, 0, 0).join());
  }

  @Test
  void rangesPatchPartialChunksAndReadHolesAsZeroes() {
    RangeIo io = cluster.client().ranges(cluster.poolId(), 4096);
    ByteString vol = ByteString.copyFromUtf8("vol-1");
    byte[] a = new byte[10000];
    new Random(1).nextBytes(a);
    Set<Integer> pgs = io.write(vol, 1000, a, false);
    io.flush(pgs);
    byte[] back = io.read(vol, 0, 20000);
    for (int i = 0; i < 1000; i++) {
      assertEquals(0, back[i]);
    }
    assertArrayEquals(a, java.util.Arrays.copyOfRange(back, 1000, 11000));
    for (int i = 11000; i < 20000; i++) {
      assertEquals(0, back[i]);
    }
    assertFalse(pgs.isEmpty());
  }

  @Test
  void buffersGoInAndComeOutWithoutCopies() {
    ChunkClient chunks = cluster.client().chunks();
    for (int size : new int[] {4096, 300_000}) {  // inline in RocksDB, and in an extent
      byte[] data = new byte[size];
      new Random(size).nextBytes(data);
      ChunkId id = chunks.chunkId(cluster.poolId(), ByteString.copyFromUtf8("obj-buf"), size);
      io.netty.buffer.ByteBuf in = io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer(size).writeBytes(data);
      chunks.write(id, in, false, io.strata.client.Fence.NONE).join();
      assertEquals(0, in.refCnt(), "the client released the caller's buffer");
      io.netty.buffer.ByteBuf out = chunks.readBuffer(id, 10, 1000).join().orElseThrow();
      try {
        byte[] got = new byte[out.readableBytes()];
        out.getBytes(out.readerIndex(), got);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 10, 1010), got);
      } finally {
        out.release();
      }
      assertArrayEquals(data, chunks.read(id, 0, 0).join().orElseThrow().toByteArray());
    }
  }
}

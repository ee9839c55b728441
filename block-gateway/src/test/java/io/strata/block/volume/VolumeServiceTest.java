package io.strata.block.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.block.data.BlockDevice;
import io.strata.client.Fence;
import io.strata.block.volume.Attachment.AttachMode;
import io.strata.minicluster.MiniCluster;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Volume records and volume data on a real three-node MiniCluster. */
class VolumeServiceTest {
  static MiniCluster cluster;
  static VolumeService volumes;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniCluster.builder().build();
    volumes = new VolumeService(cluster.client(), cluster.poolId());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static BlockDevice open(Volume v) {
    return new BlockDevice(cluster.client().chunks(), cluster.poolId(), v.id(), v.layers(), v.sizeBytes(),
        v.format(), Fence.NONE);
  }

  @Test
  void createListInfoResizeDelete() {
    Volume v = volumes.create("disk-a", 10_000);
    assertEquals(12_288, v.sizeBytes(), "sizes round up to whole 4 KiB blocks");
    assertThrows(VolumeException.class, () -> volumes.create("disk-a", 4096));
    assertTrue(volumes.list().stream().anyMatch(x -> x.name().equals("disk-a")));
    assertEquals(0, volumes.info("disk-a").usedBytes());

    assertEquals(1 << 20, volumes.resize("disk-a", 1 << 20).sizeBytes());
    VolumeException shrink = assertThrows(VolumeException.class, () -> volumes.resize("disk-a", 4096));
    assertEquals(VolumeError.INVALID_ARGUMENT, shrink.error());

    volumes.delete("disk-a", false);
    assertTrue(volumes.find("disk-a").isEmpty());
    assertEquals(VolumeError.NOT_FOUND, assertThrows(VolumeException.class, () -> volumes.info("disk-a")).error());
  }

  @Test
  void rejectsBadNamesAndSizes() {
    assertEquals(VolumeError.INVALID_ARGUMENT, assertThrows(VolumeException.class, () -> volumes.create("a/b", 4096)).error());
    assertEquals(VolumeError.INVALID_ARGUMENT, assertThrows(VolumeException.class, () -> volumes.create("x", 0)).error());
    assertEquals(VolumeError.INVALID_ARGUMENT, assertThrows(VolumeException.class, () -> volumes.create("x", -5)).error());
  }

  @Test
  void deleteRefusedWhileAttachedUnlessForced() {
    volumes.create("disk-b", 1 << 20);
    volumes.attach("disk-b", "host-1", AttachMode.EXCLUSIVE, false);
    assertEquals(VolumeError.ATTACHED, assertThrows(VolumeException.class, () -> volumes.delete("disk-b", false)).error());
    volumes.delete("disk-b", true);
    assertTrue(volumes.find("disk-b").isEmpty());
  }

  @Test
  void exclusiveTakeoverFencesThePreviousHolder() {
    volumes.create("disk-c", 1 << 20);
    Attachment first = volumes.attach("disk-c", "host-1", AttachMode.EXCLUSIVE, false);
    assertEquals(first, volumes.attach("disk-c", "host-1", AttachMode.EXCLUSIVE, false), "attach is idempotent");
    assertEquals(VolumeError.ATTACHED, assertThrows(VolumeException.class,
        () -> volumes.attach("disk-c", "host-2", AttachMode.SHARED, false)).error());
    Attachment second = volumes.attach("disk-c", "host-2", AttachMode.EXCLUSIVE, true);
    assertTrue(second.epoch() > first.epoch());
    volumes.checkFence("disk-c", "host-2", second.epoch());
    assertEquals(VolumeError.FENCED, assertThrows(VolumeException.class,
        () -> volumes.checkFence("disk-c", "host-1", first.epoch())).error());
    volumes.detach("disk-c", "host-2");
    volumes.attach("disk-c", "host-3", AttachMode.SHARED, false);
    volumes.attach("disk-c", "host-4", AttachMode.READ_ONLY, false);
    assertEquals(2, volumes.get("disk-c").attachments().size());
  }

  @Test
  void dataIsThinZeroFilledAndAccounted() {
    Volume v = volumes.create("disk-d", 1 << 20);
    BlockDevice dev = open(v);
    assertArrayEquals(new byte[8192], dev.read(4096, 8192).join(), "unwritten blocks read as zeroes");

    byte[] data = new byte[3 * 4096 + 100];
    new Random(42).nextBytes(data);
    dev.write(1000, ByteString.copyFrom(data), false).join();  // unaligned: partial first and last block
    dev.flush().join();
    assertArrayEquals(data, dev.read(1000, data.length).join());
    assertEquals(4 * 4096, volumes.info("disk-d").usedBytes(), "bytes 1000..13388 touch blocks 0-3");

    dev.zero(4096, 8192, true, false).join();
    byte[] expect = data.clone();
    java.util.Arrays.fill(expect, 4096 - 1000, 4096 - 1000 + 8192, (byte) 0);
    assertArrayEquals(expect, dev.read(1000, data.length).join());
    dev.zero(0, 1 << 20, true, true).join();  // TRIM everything: the map knows what to delete
    assertArrayEquals(new byte[data.length], dev.read(1000, data.length).join());
    dev.flush().join();  // the block map is durable as of the last FLUSH
    assertEquals(0, open(v).allocatedBlocks());
    assertEquals(0, volumes.info("disk-d").usedBytes());
  }

  @Test
  void concurrentSectorWritesInOneBlockAreAllKept() {
    Volume v = volumes.create("disk-e", 1 << 20);
    BlockDevice dev = open(v);
    java.util.List<java.util.concurrent.CompletableFuture<Void>> all = new java.util.ArrayList<>();
    for (int s = 0; s < 8; s++) {
      byte[] sector = new byte[512];
      java.util.Arrays.fill(sector, (byte) (s + 1));
      all.add(dev.write(8192 + s * 512L, ByteString.copyFrom(sector), false));
    }
    all.forEach(java.util.concurrent.CompletableFuture::join);
    byte[] block = dev.read(8192, 4096).join();
    for (int s = 0; s < 8; s++) {
      assertEquals(s + 1, block[s * 512 + 100], "sector " + s);
    }
  }

  @Test
  void deleteRemovesDataSoARecreatedVolumeIsEmpty() {
    Volume v = volumes.create("disk-f", 1 << 20);
    byte[] data = new byte[64 * 1024];
    new Random(1).nextBytes(data);
    open(v).write(0, ByteString.copyFrom(data), false).join();
    volumes.delete("disk-f", false);
    assertEquals(0, volumes.collectGarbage(), "nothing left to collect");
    assertTrue(cluster.client().chunks().read(cluster.client().chunks().chunkId(cluster.poolId(),
        io.strata.block.data.DataLayout.dataObject(v.id()), 0), 0, 0).join().isEmpty());
    Volume again = volumes.create("disk-f", 1 << 20);
    assertTrue(again.id() != v.id());
    assertArrayEquals(new byte[4096], open(again).read(0, 4096).join());
  }

  /** A volume recorded before layer formats existed (no format line) keeps its per-block layout. */
  @Test
  void volumesWrittenInTheOldLayoutStayReadable() {
    Volume made = volumes.create("legacy", 1 << 20);
    String record = new String(made.encode(), java.nio.charset.StandardCharsets.UTF_8).replaceAll("format=\\d+\n", "");
    cluster.client().metadata().txn(io.strata.proto.KvTxn.newBuilder()
        .addWrites(Keys.put(Keys.volume("legacy"), record.getBytes(java.nio.charset.StandardCharsets.UTF_8))).build());
    Volume v = volumes.get("legacy");
    assertEquals(io.strata.block.data.LayerFormat.V1, v.format());
    BlockDevice dev = open(v);
    byte[] data = new byte[3 * 4096];
    new Random(7).nextBytes(data);
    dev.write(8192, ByteString.copyFrom(data), false).join();
    dev.flush().join();
    var chunks = cluster.client().chunks();
    var legacyChunk = chunks.chunkId(cluster.poolId(), io.strata.block.data.DataLayout.dataObject(v.topLayer()), 3);
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 4096, 8192), chunks.read(legacyChunk, 0, 0).join().orElseThrow()
        .toByteArray(), "block 3 is where ChunkClient.pgFor placed blocks before extents");
    assertEquals(3 * 4096, volumes.info("legacy").usedBytes());
    dev.zero(12288, 4096, false, true).join();
    byte[] expect = data.clone();
    java.util.Arrays.fill(expect, 4096, 8192, (byte) 0);
    assertArrayEquals(expect, open(volumes.get("legacy")).read(8192, data.length).join());
    volumes.delete("legacy", false);
    assertTrue(chunks.read(chunks.chunkId(cluster.poolId(), io.strata.block.data.DataLayout.dataObject(v.topLayer()), 2),
        0, 0).join().isEmpty(), "deleting the volume deleted its blocks");
  }
}

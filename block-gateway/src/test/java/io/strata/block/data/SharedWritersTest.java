package io.strata.block.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.block.volume.Volume;
import io.strata.block.volume.VolumeService;
import io.strata.client.Fence;
import io.strata.minicluster.MiniCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two devices write one volume at once, as two shared attachments do (two holders on one gateway,
 * or two gateways), each into extents the other never touches, all of them on one map page.
 * Every extent bit must be stored (each device's page writes merge on the storage rather than
 * replace the page), and after a snapshot, when reads go through the frozen layer's map, every
 * block must read back. Before the merge, half of the bits were lost and so was half of the data
 * behind the snapshot.
 */
class SharedWritersTest {
  static final int EXTENTS = 256;

  @Test
  void twoDevicesKeepEachOthersExtentBitsAndTheSnapshotSeesAllData() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().build()) {
      VolumeService volumes = new VolumeService(cluster.client(), cluster.poolId());
      volumes.create("two", (long) EXTENTS << 20);
      Volume v = volumes.get("two");
      long extentBytes = (long) v.format().blocksPerExtent() * DataLayout.BLOCK_SIZE_BYTES;
      BlockDevice a = open(cluster, v);
      BlockDevice b = open(cluster, v);
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int x = 0; x < EXTENTS; x++) {
        all.add((x % 2 == 0 ? a : b).write(x * extentBytes, ByteString.copyFrom(data(x)), false));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
      a.close().get(60, TimeUnit.SECONDS);
      b.close().get(60, TimeUnit.SECONDS);

      AllocationMap stored = AllocationMap.reader(cluster.client().chunks(), cluster.poolId(),
          v.format().extentMapObject(v.topLayer()), v.format().blocksPerExtent());
      for (int x = 0; x < EXTENTS; x++) {
        assertTrue(stored.isAllocated(x * extentBytes / DataLayout.BLOCK_SIZE_BYTES).get(30, TimeUnit.SECONDS),
            "extent " + x + " (device " + (x % 2 == 0 ? "a" : "b") + ") lost its bit");
      }
      volumes.snapshot("two", "s1");
      BlockDevice c = open(cluster, volumes.get("two"));
      for (int x = 0; x < EXTENTS; x++) {
        assertArrayEquals(data(x), c.read(x * extentBytes, 8).get(30, TimeUnit.SECONDS),
            "extent " + x + " through the snapshot's layer");
      }
      c.close().get(60, TimeUnit.SECONDS);
    }
  }

  private static byte[] data(int x) {
    return new byte[] {(byte) x, 1, 2, 3, 4, 5, 6, (byte) (x >> 8)};
  }

  private static BlockDevice open(MiniCluster cluster, Volume v) {
    return new BlockDevice(cluster.client().chunks(), cluster.poolId(), v.id(), v.layers(), v.sizeBytes(),
        v.format(), Fence.NONE);
  }
}

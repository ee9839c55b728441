package io.strata.block.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.strata.block.volume.Volume;
import io.strata.block.volume.VolumeService;
import io.strata.client.Fence;
import io.strata.minicluster.MiniCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A device is closed with writes still running (their client went away), and a successor opens
 * the volume: the close waits for those writes and makes them durable, refuses everything after,
 * and never writes again, so the extent bits the successor sets survive and every write either
 * device acknowledged is found by a third.
 */
class DeviceHandoverTest {
  static final int EXTENTS = 64;

  @Test
  void aClosedDeviceFinishesItsWritesAndNeverOverwritesItsSuccessor() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().build()) {
      VolumeService volumes = new VolumeService(cluster.client(), cluster.poolId());
      volumes.create("handover", 2L * EXTENTS << 20);
      Volume v = volumes.get("handover");
      long extentBytes = (long) v.format().blocksPerExtent() * DataLayout.BLOCK_SIZE_BYTES;

      BlockDevice first = open(cluster, v);
      List<CompletableFuture<Void>> early = new ArrayList<>();
      for (int x = 0; x < EXTENTS; x++) {  // the first block of each extent: each sets a new extent bit
        early.add(first.write(x * extentBytes, ByteString.copyFrom(block(x)), false));
      }
      first.close().get(60, TimeUnit.SECONDS);
      for (CompletableFuture<Void> w : early) {  // all had entered the device before the close
        assertTrue(w.isDone() && !w.isCompletedExceptionally(), "a write running at the close did not finish well");
      }
      CompletableFuture<Void> late = first.write(0, ByteString.copyFrom(block(99)), false);
      assertTrue(late.isCompletedExceptionally(), "a closed device accepted a write");

      BlockDevice second = open(cluster, v);
      for (int x = EXTENTS; x < 2 * EXTENTS; x++) {
        second.write(x * extentBytes, ByteString.copyFrom(block(x)), false).get(60, TimeUnit.SECONDS);
      }
      second.close().get(60, TimeUnit.SECONDS);

      AllocationMap extents = AllocationMap.reader(cluster.client().chunks(), cluster.poolId(),
          v.format().extentMapObject(v.topLayer()), v.format().blocksPerExtent());
      BlockDevice third = open(cluster, v);
      for (int x = 0; x < 2 * EXTENTS; x++) {
        long blockNo = x * extentBytes / DataLayout.BLOCK_SIZE_BYTES;
        assertTrue(extents.isAllocated(blockNo).get(30, TimeUnit.SECONDS), "extent " + x + "'s bit was lost");
        ByteBuf got = third.readBuffer(x * extentBytes, DataLayout.BLOCK_SIZE_BYTES).get(30, TimeUnit.SECONDS);
        try {
          assertArrayEquals(block(x), ByteBufUtil.getBytes(got), "extent " + x + "'s data");
        } finally {
          got.release();
        }
      }
      third.close().get(60, TimeUnit.SECONDS);
    }
  }

  private static BlockDevice open(MiniCluster cluster, Volume v) {
    return new BlockDevice(cluster.client().chunks(), cluster.poolId(), v.id(), v.layers(), v.sizeBytes(),
        v.format(), Fence.NONE);
  }

  private static byte[] block(int seed) {
    byte[] b = new byte[DataLayout.BLOCK_SIZE_BYTES];
    new Random(seed).nextBytes(b);
    return b;
  }
}

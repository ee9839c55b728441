package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.block.data.BlockDevice;
import io.strata.client.Fence;
import io.strata.block.data.DataLayout;
import io.strata.block.volume.Attachment.AttachMode;
import io.strata.block.volume.Volume;
import io.strata.block.volume.VolumeError;
import io.strata.block.volume.VolumeException;
import io.strata.block.volume.VolumeService;
import io.strata.minicluster.MiniCluster;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Snapshots (frozen layers) and clones (a new layer over a snapshot), offline and while served. */
class SnapshotTest {
  static final int SIZE = 1 << 20;
  static MiniCluster cluster;
  static NbdServer server;
  static VolumeService volumes;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniCluster.builder().build();
    server = new NbdServer(cluster.client(), cluster.poolId(), "127.0.0.1", 0).start();
    volumes = server.volumes();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static BlockDevice open(String name) {
    Volume v = volumes.get(name);
    return new BlockDevice(cluster.client().chunks(), cluster.poolId(), v.id(), v.layers(), v.sizeBytes(),
        v.format(), Fence.NONE);
  }

  static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void snapshotFreezesCloneSharesAndDeletionKeepsWhatIsStillUsed() {
    volumes.create("base", SIZE);
    byte[] a = random(1, SIZE);
    open("base").write(0, ByteString.copyFrom(a), false).join();
    volumes.snapshot("base", "s1");
    assertEquals(2, volumes.get("base").layers().size());

    BlockDevice base = open("base");
    byte[] b = random(2, 10_000);
    base.write(5000, ByteString.copyFrom(b), false).join();
    base.zero(65536, 8192, false, false).join();   // WRITE_ZEROES over snapshot data
    base.zero(131072, 4096, false, true).join();   // TRIM over snapshot data
    byte[] expect = a.clone();
    System.arraycopy(b, 0, expect, 5000, b.length);
    Arrays.fill(expect, 65536, 65536 + 8192, (byte) 0);
    Arrays.fill(expect, 131072, 131072 + 4096, (byte) 0);
    assertArrayEquals(expect, base.read(0, SIZE).join(), "the volume sees its own writes and zeroes");

    Volume clone = volumes.cloneOf("base", "s1", "clone1");
    assertEquals(SIZE, clone.sizeBytes());
    assertArrayEquals(a, open("clone1").read(0, SIZE).join(), "a clone shows the snapshot");
    open("clone1").write(0, ByteString.copyFrom(new byte[] {9, 9, 9}), false).join();
    assertArrayEquals(expect, open("base").read(0, SIZE).join(), "clone writes stay in the clone");

    assertEquals(VolumeError.ALREADY_EXISTS, assertThrows(VolumeException.class, () -> volumes.snapshot("base", "s1")).error());
    volumes.delete("base", false);
    assertEquals(1, volumes.listSnapshots("base").size(), "a snapshot outlives its volume");
    volumes.deleteSnapshot("base", "s1");
    byte[] cloneNow = a.clone();
    cloneNow[0] = cloneNow[1] = cloneNow[2] = 9;
    assertArrayEquals(cloneNow, open("clone1").read(0, SIZE).join(), "layers a clone uses are kept");

    long frozen = clone.layers().get(1);
    volumes.delete("clone1", false);
    assertTrue(cluster.client().chunks().read(cluster.client().chunks().chunkId(cluster.poolId(),
        DataLayout.dataObject(frozen), 0), 0, 0).join().isEmpty(), "the last user frees the layer");
  }

  @Test
  void snapshotOfAVolumeAttachedElsewhereIsRefused() {
    volumes.create("busy-snap", SIZE);
    volumes.attach("busy-snap", "vm-7", AttachMode.EXCLUSIVE, false);
    assertEquals(VolumeError.ATTACHED, assertThrows(VolumeException.class,
        () -> volumes.snapshot("busy-snap", "s")).error());
  }

  @Test
  void servedVolumeIsSnapshottedConsistentlyWhileItsClientKeepsWriting() throws Exception {
    volumes.create("live", SIZE);
    byte[] before = random(3, 64 * 1024);
    byte[] after = random(4, 64 * 1024);
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.go("live");
      c.request(Nbd.CMD_WRITE, 0, 1, 0, before.length, before);
      assertEquals(0, c.reply().error());
      server.snapshot("live", "snap");
      c.request(Nbd.CMD_WRITE, 0, 2, 0, after.length, after);
      assertEquals(0, c.reply().error());
      c.request(Nbd.CMD_READ, 0, 3, 0, after.length, null);
      assertArrayEquals(after, c.reply().data());
    }
    volumes.cloneOf("live", "snap", "live-clone");
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.go("live-clone");
      c.request(Nbd.CMD_READ, 0, 1, 0, before.length, null);
      assertArrayEquals(before, c.reply().data(), "the clone has the data as of the snapshot");
    }
  }
}

package io.strata.nfs.durability;

import static io.strata.nfs.client.NfsClient.FILE_SYNC;
import static io.strata.nfs.client.NfsClient.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.common.Metrics;
import io.strata.minicluster.MiniCluster;
import io.strata.nfs.GatewayFixture;
import io.strata.nfs.NfsConfig;
import io.strata.nfs.NfsGateway;
import io.strata.nfs.client.NfsClient;
import io.strata.nfs.fs.FsKeys;
import io.strata.nfs.fs.InodeCodec;
import io.strata.nfs.nfs3.FileHandle;
import io.strata.proto.KvEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's background metadata work: attributes held in memory (here atimes moved by reads)
 * reach metadata and survive a crash, and removed files' blocks are deleted and their garbage
 * records dropped — both with far fewer metadata commands than files, so this work does not
 * queue one commit per file in front of the clients' own.
 */
class BackgroundWriteBackTest extends GatewayFixture {
  static final int FILES = 100;

  /**
   * Replaces the fixture's cluster (its @BeforeAll runs first, so it is closed here, not leaked)
   * with one of slow heartbeats, so the commands counted are (nearly) the gateway's.
   */
  @BeforeAll
  static void startQuietCluster() throws Exception {
    stopGateway();
    cluster = MiniCluster.builder().heartbeat(Duration.ofSeconds(10))
        .liveness(Duration.ofSeconds(60), Duration.ofSeconds(300)).build();
    gateway = new NfsGateway(cluster.client(), cluster.poolId(), NfsConfig.ephemeral()).start();
    gateway.shares().create("t", 10L << 30, List.of("127.0.0.0/8"), false, false);
  }

  private static LongAdder appliedCommands() {
    return Metrics.global().counter("strata_meta_applied_commands_total", "");
  }

  /** Commands the idle cluster applies per second (heartbeats, peering): measured, then discounted. */
  private static double backgroundRate() throws InterruptedException {
    long c0 = appliedCommands().sum();
    long t0 = System.nanoTime();
    Thread.sleep(3000);
    return (appliedCommands().sum() - c0) / ((System.nanoTime() - t0) / 1e9);
  }

  /** Commands applied since {@code (c0, t0)} beyond the idle cluster's own. */
  private static double gatewayCommands(long c0, long t0, double rate) {
    return appliedCommands().sum() - c0 - rate * (System.nanoTime() - t0) / 1e9;
  }

  private static Optional<KvEntry> stored(FileHandle h) {
    return cluster.client().metadata().get(FsKeys.NAMESPACE, FsKeys.inode(h.fsid(), h.ino()));
  }

  private static long storedAtime(FileHandle h) {
    KvEntry e = stored(h).orElseThrow();
    return InodeCodec.decode(e.getValue().toByteArray(), e.getVersion()).atime;
  }

  @Test
  void atimesMovedByReadsAreStoredInBatchesAndSurviveACrash() throws Exception {
    List<byte[]> files = new ArrayList<>();
    long[] atimes = new long[FILES];
    try (NfsClient c = client()) {
      byte[] dir = freshDir(c, "atimes");
      for (int i = 0; i < FILES; i++) {
        byte[] f = c.fh(c.create(dir, "f" + i, 0644));
        assertEquals(OK, c.write(f, 0, ("file " + i).getBytes(StandardCharsets.UTF_8), FILE_SYNC).status());
        files.add(f);
      }
      double rate = backgroundRate();
      long before = appliedCommands().sum();
      long t0 = System.nanoTime();
      for (int i = 0; i < FILES; i++) {
        assertEquals(OK, c.read(files.get(i), 0, 100).status());
        atimes[i] = c.getattr(files.get(i)).atime();
        assertTrue(atimes[i] > storedAtime(FileHandle.decode(files.get(i))), "the read moved atime (in memory)");
      }
      MiniCluster.waitFor(() -> {
        for (int i = 0; i < FILES; i++) {
          if (storedAtime(FileHandle.decode(files.get(i))) != atimes[i]) {
            return false;
          }
        }
        return true;
      }, Duration.ofSeconds(60), "every atime stored");
      double commands = gatewayCommands(before, t0, rate);
      // Each command is applied by the three peers of this process: one transaction per file
      // would be 3 x FILES.
      assertTrue(commands < FILES, "atimes of " + FILES + " files took " + commands + " applied commands");
    }
    gateway.kill();
    gateway = new NfsGateway(cluster.client(), cluster.poolId(), NfsConfig.ephemeral()).start();
    try (NfsClient c = client()) {
      for (int i = 0; i < FILES; i++) {
        assertEquals(atimes[i], c.getattr(files.get(i)).atime(), "atime of f" + i + " after the crash");
      }
    }
  }

  @Test
  void blocksOfRemovedFilesAreDeletedAndTheirRecordsDroppedTogether() throws Exception {
    List<FileHandle> removed = new ArrayList<>();
    try (NfsClient c = client()) {
      byte[] dir = freshDir(c, "removed");
      byte[] data = new byte[4096];
      for (int i = 0; i < FILES; i++) {
        byte[] f = c.fh(c.create(dir, "f" + i, 0644));
        assertEquals(OK, c.write(f, 0, data, FILE_SYNC).status());
        removed.add(FileHandle.decode(f));
      }
      byte[] keep = c.fh(c.create(dir, "kept", 0644));
      assertEquals(OK, c.write(keep, 0, data, FILE_SYNC).status());
      FileHandle kept = FileHandle.decode(keep);
      assertTrue(chunk(kept).isPresent() && chunk(removed.get(0)).isPresent(), "blocks written");
      double rate = backgroundRate();
      long before = appliedCommands().sum();
      long t0 = System.nanoTime();
      for (int i = 0; i < FILES; i++) {
        assertEquals(OK, c.remove(dir, "f" + i).status());
      }
      long fsid = kept.fsid();
      MiniCluster.waitFor(() -> cluster.client().metadata().scan(FsKeys.NAMESPACE, FsKeys.garbagePrefix(fsid),
          new byte[0], 10).getEntriesCount() == 0, Duration.ofSeconds(60), "every garbage record dropped");
      double commands = gatewayCommands(before, t0, rate);
      // The removals themselves are FILES commands (x3 peers); collection adds a few, not 3 x FILES.
      assertTrue(commands < 3 * FILES + FILES, "removing and collecting " + FILES + " files took " + commands
          + " applied commands");
      for (FileHandle h : removed) {
        assertTrue(chunk(h).isEmpty(), "block of removed inode " + h.ino() + " deleted");
        assertTrue(stored(h).isEmpty(), "inode " + h.ino() + " deleted");
      }
      assertTrue(chunk(kept).isPresent(), "the block of the file still there is untouched");
      assertEquals(4096, c.read(keep, 0, 8192).data().length);
    }
  }

  private static Optional<ByteString> chunk(FileHandle h) {
    ByteString object = ByteString.copyFrom("nfs/" + h.fsid() + "/" + h.ino(), StandardCharsets.UTF_8);
    return cluster.client().chunks().read(cluster.client().chunks().chunkId(cluster.poolId(), object, 0), 0, 0).join();
  }
}

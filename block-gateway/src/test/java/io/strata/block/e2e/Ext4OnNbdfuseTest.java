package io.strata.block.e2e;

import static io.strata.block.e2e.Tool.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.block.nbd.NbdServer;
import io.strata.minicluster.MiniCluster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real filesystem on a Strata disk. The kernel here has no nbd module, so the export goes
 * through user space: nbdfuse shows it as a file, a loop device turns that into a block device,
 * then mkfs.ext4 (which discards the whole disk first), mount, files written and fsynced,
 * unmount, {@code e2fsck -fn} must find it clean, remount and every checksum must match. This is
 * the sequence that once hung on a lost request (see ExactlyOneReplyTest). Needs root, nbdfuse
 * (libnbd-bin), e2fsprogs, util-linux and /dev/fuse; anything missing fails the test.
 */
class Ext4OnNbdfuseTest {
  static final long VOLUME_BYTES = 384L << 20;
  static final long STEP_SECONDS = 240;

  @Test
  void ext4OnAStrataDiskSurvivesUnmountFsckAndRemount(@TempDir Path dir) throws Exception {
    for (String b : new String[] {"nbdfuse", "losetup", "mkfs.ext4", "e2fsck", "mount", "umount"}) {
      Tool.require(b);
    }
    assertEquals("0", ok("id", "-u").trim(), "loop devices and mounts need root");
    assertTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing");
    try (MiniCluster cluster = MiniCluster.builder().build();
         NbdServer server = new NbdServer(cluster.client(), cluster.poolId(), "127.0.0.1", 0).start()) {
      server.volumes().create("ext4-vol", VOLUME_BYTES);
      Path fuseDir = Files.createDirectories(dir.resolve("fuse"));
      Path mnt = Files.createDirectories(dir.resolve("mnt"));
      Path pidFile = dir.resolve("nbdfuse.pid");
      Process nbdfuse = new ProcessBuilder(Tool.require("nbdfuse").toString(), "-P", pidFile.toString(),
          fuseDir.toString(), "nbd://127.0.0.1:" + server.port() + "/ext4-vol")
          .redirectErrorStream(true).redirectOutput(dir.resolve("nbdfuse.log").toFile()).start();
      String loop = null;
      boolean mounted = false;
      try {
        waitForFile(pidFile, nbdfuse);
        Path image = fuseDir.resolve("nbd");
        assertEquals(VOLUME_BYTES, Files.size(image));
        loop = ok("losetup", "--find", "--show", image.toString()).trim();
        ok(STEP_SECONDS, "mkfs.ext4", "-F", "-q", loop);
        ok(STEP_SECONDS, "mount", loop, mnt.toString());
        mounted = true;
        Map<String, byte[]> sums = writeFiles(mnt, new Random(20261126));
        ok(STEP_SECONDS, "umount", mnt.toString());
        mounted = false;
        ok(STEP_SECONDS, "e2fsck", "-fn", loop);  // exit 0: no errors, nothing to fix
        ok(STEP_SECONDS, "mount", loop, mnt.toString());
        mounted = true;
        for (Map.Entry<String, byte[]> e : sums.entrySet()) {
          assertArrayEquals(e.getValue(), RealClientsTest.sha256(mnt.resolve(e.getKey())), e.getKey() + " differs");
        }
      } finally {
        cleanUp(mounted ? mnt : null, loop, fuseDir, nbdfuse);
        System.out.println("nbdfuse log:\n" + Files.readString(dir.resolve("nbdfuse.log")));
      }
    }
  }

  /** Files of varied sizes, each written and fsynced, plus a directory fsync; returns their SHA-256. */
  private static Map<String, byte[]> writeFiles(Path mnt, Random rnd) throws Exception {
    Map<String, byte[]> sums = new LinkedHashMap<>();
    Path sub = Files.createDirectories(mnt.resolve("data"));
    int[] sizes = {0, 1, 511, 4096, 4097, 65_536, 1 << 20, 3 << 20, 24 << 20};
    for (int i = 0; i < sizes.length; i++) {
      String name = "data/f" + i;
      byte[] bytes = new byte[sizes[i]];
      rnd.nextBytes(bytes);
      try (FileChannel ch = FileChannel.open(mnt.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      sums.put(name, RealClientsTest.sha256(mnt.resolve(name)));
    }
    try (FileChannel d = FileChannel.open(sub, StandardOpenOption.READ)) {
      d.force(true);
    }
    return sums;
  }

  private static void waitForFile(Path pidFile, Process nbdfuse) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(pidFile) || Files.size(pidFile) == 0) {
      if (!nbdfuse.isAlive()) {
        fail("nbdfuse exited with " + nbdfuse.exitValue() + " before serving");
      }
      if (System.nanoTime() > deadline) {
        fail("nbdfuse did not become ready in 60 s");
      }
      Thread.sleep(50);
    }
  }

  /** Undoes whatever was set up, in reverse order, even after a failure; never leaves a mount behind. */
  private static void cleanUp(Path mnt, String loop, Path fuseDir, Process nbdfuse) throws Exception {
    if (mnt != null) {
      quietly("umount", mnt.toString());
    }
    if (loop != null) {
      quietly("losetup", "-d", loop);
    }
    quietly("umount", fuseDir.toString());  // as root this ends nbdfuse cleanly (no fusermount3 needed)
    if (!nbdfuse.waitFor(30, TimeUnit.SECONDS)) {
      nbdfuse.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      quietly("umount", "-l", fuseDir.toString());
    }
  }

  private static void quietly(String... command) {
    try {
      Tool.run(60, command);
    } catch (IOException | InterruptedException | AssertionError e) {
      System.out.println("cleanup step " + String.join(" ", command) + " failed: " + e);
    }
  }
}

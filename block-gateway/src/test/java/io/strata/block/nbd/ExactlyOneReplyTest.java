package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.block.volume.VolumeService;
import io.strata.minicluster.MiniCluster;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The invariant behind the ext4-on-nbdfuse hang: every request gets exactly one reply. Many
 * connections send mixed requests of varied sizes, more at once than the server lets in flight
 * (per connection and server-wide), and every handle must be answered once, without error, with
 * the data a model of the disk predicts. The huge-TRIM case is the hang's root cause: a TRIM of a
 * never-written gigabyte completed block by block without RPCs, recursed, and overflowed the stack.
 */
class ExactlyOneReplyTest {
  static final int CONNECTIONS = 3;
  static final int REGION_BYTES = 16 << 20;
  static final int REQUESTS_PER_CONNECTION = 250;
  static final int CLIENT_WINDOW = 48;  // above the server's 16, so it must stop reading
  static final int FLAG_NO_HOLE = 2;
  /** Small limits so that a few MiB reach every back-pressure path; a lost request shows as EIO within 30 s. */
  static final NbdLimits LIMITS = new NbdLimits(16, 4 << 20, 6 << 20, 30_000);

  static MiniCluster cluster;
  static NbdServer server;
  static VolumeService volumes;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniCluster.builder().build();
    volumes = new VolumeService(cluster.client(), cluster.poolId());
    server = new NbdServer(volumes, cluster.client(), "127.0.0.1", 0, "stress-gw", LIMITS).start();
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

  @Test
  void hugeTrimOfANeverWrittenDiskIsAnsweredAndLeavesItUsable() throws Exception {
    volumes.create("huge-trim", 5L << 30);
    try (RawNbdClient c = new RawNbdClient(server.port())) {
      c.go("huge-trim");
      byte[] block = new byte[4096];
      Arrays.fill(block, (byte) 0x5a);
      c.request(Nbd.CMD_WRITE, 0, 1, 1L << 30, 4096, block);  // loads the map page, so the TRIM needs no RPC
      assertEquals(0, c.reply().error());
      c.request(Nbd.CMD_TRIM, 0, 2, 0, 0xFFFF_F000L, null);  // the largest 32-bit length, 4 GiB - 4 KiB
      RawNbdClient.Reply r = c.reply();
      assertEquals(2, r.handle());
      assertEquals(0, r.error(), "TRIM failed");
      for (long at : new long[] {0, 512L << 20, 1L << 30, (4L << 30) - 8192}) {
        c.request(Nbd.CMD_WRITE, 0, 3, at, 4096, block);  // no block may be left locked by the TRIM
        assertEquals(0, c.reply().error());
        c.request(Nbd.CMD_READ, 0, 4, at, 4096, null);
        assertArrayEquals(block, c.reply().data());
      }
    }
  }

  @Test
  void mixedConcurrentRequestsGetExactlyOneCorrectReplyEach() throws Exception {
    long seed = Long.getLong("strata.seed", System.nanoTime());
    System.out.println("ExactlyOneReplyTest seed " + seed + " (replay with -Dstrata.seed=" + seed + ")");
    volumes.create("stress", (long) CONNECTIONS * REGION_BYTES);
    ExecutorService pool = Executors.newFixedThreadPool(2 * CONNECTIONS);
    try {
      List<Future<String>> runs = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS; i++) {
        Connection c = new Connection(i, new Random(seed + i), pool);
        runs.add(pool.submit(c::run));
      }
      for (Future<String> f : runs) {
        System.out.println(f.get(5, TimeUnit.MINUTES));
      }
    } catch (Exception e) {
      throw new AssertionError("seed " + seed + ": " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One connection working on its own region of the volume, with a byte-exact model of it. */
  static final class Connection {
    record Sent(int type, long offset, int length, byte[] expected) {}

    final int index;
    final Random rnd;
    final ExecutorService pool;
    final long base;
    final byte[] model = new byte[REGION_BYTES];
    final Map<Long, Sent> outstanding = new ConcurrentHashMap<>();
    final Semaphore window = new Semaphore(CLIENT_WINDOW);
    final int[] counts = new int[8];

    Connection(int index, Random rnd, ExecutorService pool) {
      this.index = index;
      this.rnd = rnd;
      this.pool = pool;
      this.base = (long) index * REGION_BYTES;
    }

    String run() throws Exception {
      try (RawNbdClient c = new RawNbdClient(server.port())) {
        c.go("stress");
        Future<Integer> replies = pool.submit(() -> readReplies(c));
        for (long handle = 1; handle <= REQUESTS_PER_CONNECTION; handle++) {
          while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (replies.isDone()) {
              replies.get();  // the reader failed: report why
            }
          }
          send(c, handle);
        }
        assertEquals(REQUESTS_PER_CONNECTION, replies.get(4, TimeUnit.MINUTES));
        assertTrue(outstanding.isEmpty(), "unanswered: " + outstanding.keySet());
        verifyWholeRegion(c);
        return "connection " + index + ": " + REQUESTS_PER_CONNECTION + " answered once each; by command "
            + Arrays.toString(counts);
      }
    }

    private void send(RawNbdClient c, long handle) throws Exception {
      int kind = rnd.nextInt(100);
      int type = kind < 40 ? Nbd.CMD_WRITE : kind < 70 ? Nbd.CMD_READ : kind < 80 ? Nbd.CMD_FLUSH
          : kind < 90 ? Nbd.CMD_TRIM : Nbd.CMD_WRITE_ZEROES;
      if (type == Nbd.CMD_FLUSH) {
        outstanding.put(handle, new Sent(type, 0, 0, null));
        counts[type]++;
        c.request(type, 0, handle, 0, 0, null);
        return;
      }
      long offset;
      int length;
      for (int attempt = 1; ; attempt++) {  // requests in flight never overlap: the model predicts every read
        length = size(type);
        offset = rnd.nextInt(4) == 0 ? rnd.nextInt(REGION_BYTES - length + 1)
            : (long) rnd.nextInt((REGION_BYTES - length) / 4096 + 1) * 4096;
        if (!overlaps(offset, length)) {
          break;
        }
        if (attempt % 16 == 0) {
          Thread.sleep(1);  // the region is busy (e.g. a whole-region TRIM): let replies come in
        }
      }
      int flags = rnd.nextInt(5) == 0 ? Nbd.CMD_FLAG_FUA : 0;
      byte[] payload = null;
      byte[] expected = null;
      switch (type) {
        case Nbd.CMD_WRITE -> {
          payload = new byte[length];
          rnd.nextBytes(payload);
          System.arraycopy(payload, 0, model, (int) offset, length);
        }
        case Nbd.CMD_READ -> {
          expected = Arrays.copyOfRange(model, (int) offset, (int) offset + length);
          flags = 0;
        }
        case Nbd.CMD_WRITE_ZEROES -> {
          Arrays.fill(model, (int) offset, (int) offset + length, (byte) 0);
          flags |= rnd.nextBoolean() ? FLAG_NO_HOLE : 0;
        }
        default -> Arrays.fill(model, (int) offset, (int) offset + length, (byte) 0);  // our TRIM zeroes
      }
      outstanding.put(handle, new Sent(type, offset, length, expected));
      counts[type]++;
      c.request(type, flags, handle, base + offset, length, payload);
    }

    /** Mostly small, sometimes large enough to reach the in-flight byte limits; TRIMs up to the whole region. */
    private int size(int type) {
      int p = rnd.nextInt(100);
      if (type == Nbd.CMD_TRIM && p < 15) {
        return REGION_BYTES;
      }
      int max = p < 60 ? 16 << 10 : p < 90 ? 256 << 10 : 2 << 20;
      return 1 + rnd.nextInt(max);
    }

    private boolean overlaps(long offset, int length) {
      for (Sent s : outstanding.values()) {
        if (s.type() != Nbd.CMD_FLUSH && offset < s.offset() + s.length() && s.offset() < offset + length) {
          return true;
        }
      }
      return false;
    }

    private int readReplies(RawNbdClient c) throws Exception {
      for (int n = 0; n < REQUESTS_PER_CONNECTION; n++) {
        RawNbdClient.Reply r = c.reply();
        Sent s = outstanding.remove(r.handle());
        assertTrue(s != null, "reply for handle " + r.handle() + " that is not outstanding (twice or never sent)");
        assertEquals(0, r.error(), "command " + s.type() + " at " + s.offset() + "+" + s.length() + " failed");
        if (s.type() == Nbd.CMD_READ) {
          assertArrayEquals(s.expected(), r.data(), "READ at " + s.offset() + "+" + s.length());
        }
        window.release();
      }
      return REQUESTS_PER_CONNECTION;
    }

    private void verifyWholeRegion(RawNbdClient c) throws Exception {
      int step = 2 << 20;
      for (int at = 0; at < REGION_BYTES; at += step) {
        c.request(Nbd.CMD_READ, 0, 1_000_000 + at, base + at, step, null);
        RawNbdClient.Reply r = c.reply();
        assertEquals(0, r.error());
        assertArrayEquals(Arrays.copyOfRange(model, at, at + step), r.data(), "region " + index + " at " + at);
      }
    }
  }
}

package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick load driver for A/B work on the chunk path (JMH stays the figure of record): runs one
 * operation kind against a fresh MiniCluster and prints ops/s and process CPU microseconds per
 * operation, which depends far less on the machine's other load than throughput does.
 *
 * <pre>java -cp ... io.strata.bench.ChunkLoad write|read|writeflush SIZE INFLIGHT SECONDS [ROUNDS]</pre>
 * {@code writeflush} = a write followed by a flush of its group, one pair at a time per slot.
 */
public final class ChunkLoad {
  public static void main(String[] args) throws Exception {
    String op = args[0];
    int size = Integer.parseInt(args[1]);
    int inFlight = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    try (MiniCluster c = MiniCluster.builder().pgCount(64).heartbeat(Duration.ofSeconds(1))
        .liveness(Duration.ofSeconds(10), Duration.ofSeconds(60)).build()) {
      ChunkClient chunks = c.client().chunks();
      byte[] b = new byte[size];
      new Random(1).nextBytes(b);
      ByteString payload = ByteString.copyFrom(b);
      int keys = size > 65536 ? 256 : 8192;
      prefill(chunks, c.poolId(), payload, keys);  // every key once: the data reads read, and a warm-up
      for (int r = 0; r < rounds; r++) {
        if (op.equals("idle")) {
          idle(seconds);
        } else {
          run(chunks, c.poolId(), op, payload, keys, inFlight, seconds);
        }
      }
    }
    System.exit(0);
  }

  static void run(ChunkClient chunks, int pool, String op, ByteString payload, int keys, int inFlight, int seconds) {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Semaphore window = new Semaphore(inFlight);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong missing = new AtomicLong();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    long end = t0 + seconds * 1_000_000_000L;
    long i = 0;
    ByteString object = ByteString.copyFromUtf8("load");
    while (System.nanoTime() < end) {
      window.acquireUninterruptibly();
      ChunkId id = chunks.chunkId(pool, object, i++ % keys);
      CompletableFuture<?> f = switch (op) {
        case "write" -> chunks.write(id, payload, false);
        case "read" -> chunks.read(id, 0, 0);
        case "writeflush" -> chunks.write(id, payload, false).thenCompose(v -> chunks.flush(pool, Set.of(id.getPg())));
        default -> throw new IllegalArgumentException(op);
      };
      f.whenComplete((v, t) -> {
        if (t != null) {
          failed.incrementAndGet();
        } else if (v instanceof java.util.Optional<?> o && o.isEmpty()) {
          missing.incrementAndGet();
        }
        done.incrementAndGet();
        window.release();
      });
    }
    window.acquireUninterruptibly(inFlight);
    double secs = (System.nanoTime() - t0) / 1e9;
    double cpuMicros = (os.getProcessCpuTime() - cpu0) / 1e3;
    System.out.printf("%s size=%d inflight=%d: %.0f ops/s, %.1f MiB/s, %.0f cpu-us/op, %d failed, %d not found,"
        + " load %.2f%n", op, payload.size(), inFlight, done.get() / secs, done.get() * payload.size() / secs / (1 << 20),
        cpuMicros / Math.max(1, done.get()), failed.get(), missing.get(), os.getSystemLoadAverage());
  }

  static void prefill(ChunkClient chunks, int pool, ByteString payload, int keys) {
    Semaphore window = new Semaphore(64);
    ByteString object = ByteString.copyFromUtf8("load");
    CompletableFuture<?>[] all = new CompletableFuture<?>[keys];
    for (int i = 0; i < keys; i++) {
      window.acquireUninterruptibly();
      all[i] = chunks.write(chunks.chunkId(pool, object, i), payload, false).whenComplete((v, t) -> window.release());
    }
    CompletableFuture.allOf(all).join();
  }

  /** CPU the idle cluster burns (heartbeats, Raft, timers): the fixed tax under every figure. */
  static void idle(int seconds) throws InterruptedException {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    System.out.printf("idle: %.1f%% of one core%n", (os.getProcessCpuTime() - cpu0) * 100.0 / (System.nanoTime() - t0));
  }

  private ChunkLoad() {}
}

package io.strata.s3.bench;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 load generator behind deploy/bench/s3-bench.sh (a benchmark, not a test): the AWS SDK
 * for Java v2 with N threads measuring PUT and GET MiB/s of 16 MiB objects and ops/s of 4 KiB
 * objects against one or more targets, phase by phase (each phase runs on every target before
 * the next starts, so the figures of one row are taken within the same minute), then prints a
 * table with the ratio of the first target to the others. Every phase is bounded by a count and
 * a time limit.
 *
 * <pre>
 * S3LoadGenerator --threads 8 --large 32 --small 4000 --max-seconds 60 \
 *   --target strata=http://127.0.0.1:43000,KEY,SECRET,default \
 *   --target s3proxy=http://127.0.0.1:43080,KEY,SECRET,when_required
 * </pre>
 * {@code --pause-seconds N} (default 0) waits N s after each phase before reporting it, so a
 * caller sampling the target's CPU at each report attributes background work to its phase.
 * {@code --get-passes N} (default 1) reads the objects of each GET phase N times over: 32 objects
 * of 16 MiB read once took a quarter of a second, too short a phase to mean anything.
 * {@code --warm-large N --warm-small N} (default 0) first run every phase unmeasured with these
 * counts, in this JVM: the servers compile their hot paths, and so does this client. A warm-up in
 * a separate JVM left the client's own JIT work inside the measured phases, where it fell mostly
 * on the target measured first. {@code --sync-between 1} runs {@code sync} (untimed) after every
 * phase, so the dirty pages a target that does not sync left behind are not written back during
 * the next target's phase, slowing its own syncs on the same disk.
 * {@code --rounds N} (default 1) repeats the measured phases,
 * reversing the order of the targets every other round; a row adds up all rounds.
 */
public final class S3LoadGenerator {
  static final int LARGE_BYTES = 16 << 20;
  static final int SMALL_BYTES = 4 << 10;

  record Target(String name, S3Client client) {}

  record Result(long ops, long bytes, double seconds, long[] latenciesMicros) {
    double mibPerSecond() {
      return bytes / 1048576.0 / seconds;
    }

    double opsPerSecond() {
      return ops / seconds;
    }

    Result plus(Result o) {
      long[] l = Arrays.copyOf(latenciesMicros, latenciesMicros.length + o.latenciesMicros.length);
      System.arraycopy(o.latenciesMicros, 0, l, latenciesMicros.length, o.latenciesMicros.length);
      return new Result(ops + o.ops, bytes + o.bytes, seconds + o.seconds, l);
    }

    double percentileMillis(double p) {
      long[] l = latenciesMicros.clone();
      Arrays.sort(l);
      return l.length == 0 ? 0 : l[Math.min(l.length - 1, (int) (p * l.length))] / 1000.0;
    }
  }

  interface Op {
    long run(S3Client c, int i) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int threads = 8;
    int large = 32;
    int small = 4000;
    int maxSeconds = 60;
    int pauseSeconds = 0;
    int getPasses = 1;
    int warmLarge = 0;
    int warmSmall = 0;
    int rounds = 1;
    boolean syncBetween = false;
    List<Target> targets = new ArrayList<>();
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--large" -> large = Integer.parseInt(args[i + 1]);
        case "--small" -> small = Integer.parseInt(args[i + 1]);
        case "--max-seconds" -> maxSeconds = Integer.parseInt(args[i + 1]);
        case "--pause-seconds" -> pauseSeconds = Integer.parseInt(args[i + 1]);
        case "--get-passes" -> getPasses = Integer.parseInt(args[i + 1]);
        case "--warm-large" -> warmLarge = Integer.parseInt(args[i + 1]);
        case "--warm-small" -> warmSmall = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--sync-between" -> syncBetween = Integer.parseInt(args[i + 1]) != 0;
        case "--target" -> targets.add(target(args[i + 1], threads));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    byte[] largeBody = new byte[LARGE_BYTES];
    new Random(1).nextBytes(largeBody);
    byte[] smallBody = Arrays.copyOf(largeBody, SMALL_BYTES);
    for (Target t : targets) {
      try {
        t.client().createBucket(b -> b.bucket("bench"));
      } catch (RuntimeException e) {
        // exists from an earlier run
      }
    }
    String[] phases = {"PUT 16 MiB", "GET 16 MiB", "PUT 4 KiB", "GET 4 KiB"};
    int[] written = new int[1];  // objects the last PUT phase wrote, for the GET after it
    // PUTs write the keys of the measured phases over and over (a warm-up longer than a measured
    // phase too), so the warm-up exercises the same key set the measurement then overwrites.
    int largeKeys = Math.max(1, large);
    int smallKeys = Math.max(1, small);
    Op[] ops = {
        (c, i) -> put(c, "large-" + i % largeKeys, largeBody),
        (c, i) -> get(c, "large-" + i % written[0]),
        (c, i) -> put(c, "small-" + i % smallKeys, smallBody),
        (c, i) -> get(c, "small-" + i % written[0])};
    if (warmLarge > 0 || warmSmall > 0) {
      runPhases(phases, ops, new int[] {warmLarge, warmLarge, warmSmall, warmSmall}, new int[] {largeKeys, smallKeys},
          getPasses, targets, false, written, threads, maxSeconds, 0, syncBetween, "warm-up");
    }
    Result[][] results = new Result[phases.length][targets.size()];
    for (int r = 0; r < rounds; r++) {
      Result[][] round = runPhases(phases, ops, new int[] {large, large, small, small}, new int[] {largeKeys, smallKeys},
          getPasses, targets, r % 2 == 1, written, threads, maxSeconds, pauseSeconds, syncBetween, "round " + (r + 1));
      for (int p = 0; p < phases.length; p++) {
        for (int t = 0; t < targets.size(); t++) {
          results[p][t] = results[p][t] == null ? round[p][t] : results[p][t].plus(round[p][t]);
        }
      }
    }
    print(phases, targets, results, threads);
    targets.forEach(t -> t.client().close());
  }

  /** Every phase on every target (in reverse target order if asked) before the next phase starts. */
  static Result[][] runPhases(String[] phases, Op[] ops, int[] counts, int[] keys, int getPasses, List<Target> targets,
                              boolean reversed, int[] written, int threads, int maxSeconds, int pauseSeconds,
                              boolean syncBetween, String label) throws Exception {
    Result[][] results = new Result[phases.length][targets.size()];
    for (int p = 0; p < phases.length; p++) {
      for (int k = 0; k < targets.size(); k++) {
        int t = reversed ? targets.size() - 1 - k : k;
        // A GET phase reads what its PUT phase wrote: objects 0..n-1 (a time-limited PUT may stop early).
        if (p % 2 == 1) {
          written[0] = (int) Math.max(1, Math.min(Math.min(counts[p], keys[p / 2]), results[p - 1][t].ops()));
        }
        int count = counts[p] == 0 ? 0 : p % 2 == 1 ? written[0] * getPasses : counts[p];
        results[p][t] = run(targets.get(t).client(), ops[p], count, threads, maxSeconds);
        // For per-phase CPU accounting by a caller: the target's background work after a phase
        // (compactions, GC) settles before the phase is reported and the next one starts.
        Thread.sleep(pauseSeconds * 1000L);
        if (syncBetween) {
          new ProcessBuilder("sync").inheritIO().start().waitFor();
        }
        System.err.printf(Locale.ROOT, "%-8s %-10s %-8s %6d ops %7.2f s%n", label, phases[p], targets.get(t).name(),
            results[p][t].ops(), results[p][t].seconds());
      }
    }
    return results;
  }

  static Target target(String spec, int threads) {
    String[] nv = spec.split("=", 2);
    String[] f = nv[1].split(",");
    RequestChecksumCalculation checksums = f.length > 3 && f[3].equalsIgnoreCase("when_required")
        ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED;
    S3Client c = S3Client.builder().endpointOverride(URI.create(f[0])).region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(f[1], f[2])))
        .requestChecksumCalculation(checksums)
        .httpClientBuilder(Apache5HttpClient.builder().maxConnections(threads * 2)
            .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(120)))
        .build();
    return new Target(nv[0], c);
  }

  static long put(S3Client c, String key, byte[] body) {
    c.putObject(b -> b.bucket("bench").key(key), RequestBody.fromBytes(body));
    return body.length;
  }

  static long get(S3Client c, String key) throws Exception {
    byte[] buf = new byte[256 << 10];
    long n = 0;
    try (InputStream in = c.getObject(b -> b.bucket("bench").key(key))) {
      for (int r; (r = in.read(buf)) > 0; ) {
        n += r;
      }
    }
    return n;
  }

  static Result run(S3Client c, Op op, int count, int threads, int maxSeconds) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicLong bytes = new AtomicLong();
    long[] latencies = new long[count];
    long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      fs.add(pool.submit(() -> {
        for (int i; (i = next.getAndIncrement()) < count && System.nanoTime() < deadline; ) {
          long t0 = System.nanoTime();
          bytes.addAndGet(op.run(c, i));
          latencies[i] = (System.nanoTime() - t0) / 1000;
        }
        return null;
      }));
    }
    try {
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();  // a failed phase must end the process, not leave its workers holding it up
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int done = Math.min(next.get(), count);
    long[] measured = Arrays.stream(latencies, 0, done).filter(l -> l > 0).toArray();
    return new Result(measured.length, bytes.get(), seconds, measured);
  }

  static void print(String[] phases, List<Target> targets, Result[][] r, int threads) {
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-12s", "phase (" + threads + " thr)"));
    targets.forEach(t -> head.append(String.format(Locale.ROOT, " | %-32s", t.name())));
    for (int t = 1; t < targets.size(); t++) {
      head.append(String.format(Locale.ROOT, " | %s/%s", targets.get(0).name(), targets.get(t).name()));
    }
    System.out.println(head);
    for (int p = 0; p < phases.length; p++) {
      boolean large = phases[p].contains("16 MiB");
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-12s", phases[p]));
      for (Result x : r[p]) {
        row.append(String.format(Locale.ROOT, " | %9.1f %-6s p50 %6.1f p99 %6.1f ms", large ? x.mibPerSecond() : x.opsPerSecond(),
            large ? "MiB/s" : "ops/s", x.percentileMillis(0.5), x.percentileMillis(0.99)));
      }
      for (int t = 1; t < targets.size(); t++) {
        double a = large ? r[p][0].mibPerSecond() : r[p][0].opsPerSecond();
        double b = large ? r[p][t].mibPerSecond() : r[p][t].opsPerSecond();
        row.append(String.format(Locale.ROOT, " | %.2fx", a / b));
      }
      System.out.println(row);
    }
  }
}

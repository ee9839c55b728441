package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetadataClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaCommand;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;

/**
 * Quick driver for metadata commit latency (JMH MetadataCommitBench stays the figure of record):
 * prints rate, mean, p50, p90 and p99 of single-put transactions kept {@code IN_FLIGHT} at a time
 * (default 1), and the whole JVM's CPU per operation.
 *
 * <pre>java -cp ... io.strata.bench.MetaLoad COUNT [ROUNDS [commit|get [IN_FLIGHT [PEERS]]]]</pre>
 */
public final class MetaLoad {
  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    boolean get = args.length > 2 && args[2].equals("get");
    int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    int peers = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    try (MiniCluster c = MiniCluster.builder().metadataPeers(peers).datanodes(1).replication(1, 1).pgCount(4)
        .heartbeat(Duration.ofSeconds(1)).liveness(Duration.ofSeconds(10), Duration.ofSeconds(60)).build()) {
      MetadataClient meta = c.client().metadata();
      for (int r = 0; r < rounds; r++) {
        long[] lat = new long[count];
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        if (inFlight == 1) {
          for (int i = 0; i < count; i++) {
            long s = System.nanoTime();
            if (get) {
              meta.get("bench", ("k" + i).getBytes());
            } else {
              meta.txn(put(i));
            }
            lat[i] = System.nanoTime() - s;
          }
        } else {
          Semaphore window = new Semaphore(inFlight);
          CountDownLatch done = new CountDownLatch(count);
          for (int i = 0; i < count; i++) {
            window.acquireUninterruptibly();
            long s = System.nanoTime();
            int n = i;
            meta.submit(MetaCommand.newBuilder().setKvTxn(put(i)).build()).whenComplete((v, t) -> {
              lat[n] = System.nanoTime() - s;
              window.release();
              done.countDown();
            });
          }
          done.await();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpuMicros = (cpuNanos() - cpu0) / 1e3 / count;
        Arrays.sort(lat);
        System.out.printf("%s at %d in flight: %.0f/s, mean %.2f ms, p50 %.2f, p90 %.2f, p99 %.2f ms,"
            + " %.0f CPU-us/op (whole JVM)%n", get ? "gets" : "commits", inFlight, count / secs,
            Arrays.stream(lat).average().orElse(0) / 1e6, lat[count / 2] / 1e6, lat[count * 9 / 10] / 1e6,
            lat[count * 99 / 100] / 1e6, cpuMicros);
      }
    }
    System.exit(0);
  }

  private static KvTxn put(int i) {
    return KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace("bench")
        .setKey(ByteString.copyFromUtf8("k" + i)).setValue(ByteString.copyFromUtf8("v"))).build();
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private MetaLoad() {}
}

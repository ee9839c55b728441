package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetadataClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import java.time.Duration;
import java.util.Arrays;

/**
 * Quick driver for metadata commit latency at one in flight (JMH MetadataCommitBench stays the
 * figure of record): prints mean, p50, p90 and p99 of sequential single-put transactions.
 *
 * <pre>java -cp ... io.strata.bench.MetaLoad COUNT [ROUNDS [commit|get]]</pre>
 */
public final class MetaLoad {
  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    boolean get = args.length > 2 && args[2].equals("get");
    try (MiniCluster c = MiniCluster.builder().datanodes(1).replication(1, 1).pgCount(4)
        .heartbeat(Duration.ofSeconds(1)).liveness(Duration.ofSeconds(10), Duration.ofSeconds(60)).build()) {
      MetadataClient meta = c.client().metadata();
      for (int r = 0; r < rounds; r++) {
        long[] lat = new long[count];
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          long s = System.nanoTime();
          if (get) {
            meta.get("bench", ("k" + i).getBytes());
          } else {
            meta.txn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace("bench")
                .setKey(ByteString.copyFromUtf8("k" + i)).setValue(ByteString.copyFromUtf8("v"))).build());
          }
          lat[i] = System.nanoTime() - s;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpuMicros = (cpuNanos() - cpu0) / 1e3 / count;
        Arrays.sort(lat);
        System.out.printf((get ? "QD1 gets" : "QD1 commits") + ": %.0f/s, mean %.2f ms, p50 %.2f, p90 %.2f, p99 %.2f ms,"
            + " %.0f CPU-us/op (whole JVM)%n", count / secs,
            secs * 1e3 / count, lat[count / 2] / 1e6, lat[count * 9 / 10] / 1e6, lat[count * 99 / 100] / 1e6, cpuMicros);
      }
    }
    System.exit(0);
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private MetaLoad() {}
}

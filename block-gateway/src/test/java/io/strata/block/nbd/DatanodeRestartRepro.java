package io.strata.block.nbd;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Reproducer for a datanode problem found by the block gateway's tests (not a gateway bug): kill
 * a datanode, write and flush while it is down, restart it; afterwards reads of some placement
 * groups time out ("group N not readable: TimeoutException", then DEADLINE_EXCEEDED) for 60 s
 * and more. Disabled so the gateway's suite stays green; enable it when working on peering.
 */
@Disabled("datanode: groups on a restarted datanode stay inactive after writes made during its downtime")
class DatanodeRestartRepro {
  @Test
  void readsAfterRestartFollowingWritesWhileDown() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().build()) {
      ChunkClient chunks = cluster.client().chunks();
      ByteString obj = ByteString.copyFromUtf8("diag");
      List<CompletableFuture<Long>> w = new ArrayList<>();
      for (int i = 0; i < 512; i++) {
        w.add(chunks.write(chunks.chunkId(cluster.poolId(), obj, i), ByteString.copyFrom(new byte[4096]), false));
      }
      w.forEach(CompletableFuture::join);
      cluster.killDatanode(1);
      long t0 = System.currentTimeMillis();
      readAll(chunks, cluster, obj, "down");
      ByteString obj2 = ByteString.copyFromUtf8("diag2");
      List<CompletableFuture<Long>> w2 = new ArrayList<>();
      for (int i = 0; i < 512; i++) {
        w2.add(chunks.write(chunks.chunkId(cluster.poolId(), obj2, i), ByteString.copyFrom(new byte[4096]), false));
      }
      w2.forEach(CompletableFuture::join);
      System.out.println("REPRO wrote while down");
      chunks.flush(cluster.poolId(), java.util.stream.IntStream.range(0, 16).boxed().toList()).join();
      System.out.println("REPRO flushed while down");
      cluster.restartDatanode(1);
      cluster.waitHealthy(Duration.ofSeconds(60));
      System.out.println("REPRO healthy after " + (System.currentTimeMillis() - t0));
      readAll(chunks, cluster, obj, "after");
      readAll(chunks, cluster, obj2, "after2");
      try (var fresh = cluster.newClient()) {
        readAll(fresh.chunks(), cluster, obj, "fresh");
      }
    }
  }

  static void readAll(ChunkClient chunks, MiniCluster cluster, ByteString obj, String what) {
    long t0 = System.currentTimeMillis();
    List<CompletableFuture<?>> r = new ArrayList<>();
    for (int i = 0; i < 512; i++) {
      ChunkId id = chunks.chunkId(cluster.poolId(), obj, i);
      int idx = i;
      long s = System.currentTimeMillis();
      r.add(chunks.read(id, 0, 0).whenComplete((v, e) -> {
        long d = System.currentTimeMillis() - s;
        if (d > 2000 || e != null) {
          System.out.println("REPRO " + what + " chunk " + idx + " pg " + id.getPg() + " took " + d + " err " + e);
        }
      }));
    }
    for (CompletableFuture<?> f : r) {
      try { f.join(); } catch (RuntimeException e) { }
    }
    System.out.println("REPRO " + what + " all done in " + (System.currentTimeMillis() - t0));
  }
}

package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.minicluster.MiniCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Many reads in flight while a restarted datanode's groups re-peer. Found by the block gateway:
 * reads parked on an inactive group used to hold every RPC thread, so the peering RPCs that would
 * activate the groups queued behind them and the reads timed out.
 */
class RestartUnderLoadIT {
  @Test
  void readsSucceedAfterARestartFollowingWritesWhileDown() throws Exception {
    try (MiniCluster c = MiniCluster.builder().build()) {
      ChunkClient chunks = c.client().chunks();
      ByteString before = ByteString.copyFromUtf8("before");
      ByteString during = ByteString.copyFromUtf8("during");
      writeAll(chunks, c, before, (byte) 1);
      c.killDatanode(1);
      assertEquals(512, readAll(chunks, c, before, (byte) 1));
      writeAll(chunks, c, during, (byte) 2);
      chunks.flush(c.poolId(), IntStream.range(0, 16).boxed().toList()).join();
      c.restartDatanode(1);
      c.waitHealthy(Duration.ofSeconds(60));
      assertEquals(512, readAll(chunks, c, before, (byte) 1));
      assertEquals(512, readAll(chunks, c, during, (byte) 2));
      try (var fresh = c.newClient()) {
        assertEquals(512, readAll(fresh.chunks(), c, during, (byte) 2));
      }
    }
  }

  static void writeAll(ChunkClient chunks, MiniCluster c, ByteString obj, byte fill) {
    List<CompletableFuture<Long>> w = new ArrayList<>();
    byte[] data = new byte[4096];
    java.util.Arrays.fill(data, fill);
    for (int i = 0; i < 512; i++) {
      w.add(chunks.write(chunks.chunkId(c.poolId(), obj, i), ByteString.copyFrom(data), false));
    }
    w.forEach(CompletableFuture::join);
  }

  static int readAll(ChunkClient chunks, MiniCluster c, ByteString obj, byte fill) {
    List<CompletableFuture<Boolean>> r = new ArrayList<>();
    for (int i = 0; i < 512; i++) {
      r.add(chunks.read(chunks.chunkId(c.poolId(), obj, i), 0, 0)
          .thenApply(b -> b.isPresent() && b.get().size() == 4096 && b.get().byteAt(100) == fill));
    }
    int ok = 0;
    for (CompletableFuture<Boolean> f : r) {
      assertTrue(f.join(), "a chunk read back wrong or missing");
      ok++;
    }
    return ok;
  }
}

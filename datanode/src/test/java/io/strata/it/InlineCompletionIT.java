package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A {@link ChunkClient#completingInline()} view reads and writes like its parent, but its futures
 * complete on the transport thread that received the reply; the parent's on callback threads.
 */
class InlineCompletionIT {
  @Test
  void inlineViewCompletesOnTheTransportThread() throws Exception {
    try (MiniCluster c = MiniCluster.builder().build()) {
      ChunkClient chunks = c.client().chunks();
      ChunkClient inline = chunks.completingInline();
      ChunkId id = chunks.chunkId(c.poolId(), ByteString.copyFromUtf8("inline"), 0);

      String writer = inline.write(id, ByteString.copyFromUtf8("hello"), true)
          .thenApply(v -> Thread.currentThread().getName()).join();
      assertTrue(writer.startsWith("strata-data"), "inline write completed on " + writer);

      CompletableFuture<String> read = inline.read(id, 0, 0)
          .thenApply(o -> o.orElseThrow().toStringUtf8() + " on " + Thread.currentThread().getName());
      String r = read.join();
      assertTrue(r.startsWith("hello on strata-data"), r);

      String parent = chunks.read(id, 0, 0).thenApply(o -> Thread.currentThread().getName()).join();
      assertTrue(parent.startsWith("chunk-client-callback"), "default read completed on " + parent);

      inline.close();  // closes nothing: the parent still works
      assertEquals(Optional.of(ByteString.copyFromUtf8("hello")), chunks.read(id, 0, 0).join());
      assertFalse(inline.read(id, 0, 0).join().isEmpty());
    }
  }
}

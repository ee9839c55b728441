package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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

      inline.write(id, ByteString.copyFromUtf8("hello"), true).join();
      // A continuation attached after its future completed runs on the attaching thread (here
      // "main"), so look at many calls: the others show where each client completes.
      Set<String> inlineThreads = threadsOf(inline, id);
      assertTrue(inlineThreads.stream().allMatch(t -> t.equals("main") || t.startsWith("strata-data")), inlineThreads.toString());
      assertTrue(inlineThreads.stream().anyMatch(t -> t.startsWith("strata-data")), inlineThreads.toString());
      Set<String> parentThreads = threadsOf(chunks, id);
      assertTrue(parentThreads.stream().allMatch(t -> t.equals("main") || t.startsWith("chunk-client-callback")),
          parentThreads.toString());
      assertTrue(parentThreads.stream().anyMatch(t -> t.startsWith("chunk-client-callback")), parentThreads.toString());

      inline.close();  // closes nothing: the parent still works
      assertEquals(Optional.of(ByteString.copyFromUtf8("hello")), chunks.read(id, 0, 0).join());
      assertFalse(inline.read(id, 0, 0).join().isEmpty());
    }
  }

  /** The threads that 50 concurrent reads of {@code id} completed on; each read must say "hello". */
  private static Set<String> threadsOf(ChunkClient client, ChunkId id) {
    List<CompletableFuture<String>> reads = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      reads.add(client.read(id, 0, 0).thenApply(o -> {
        assertEquals("hello", o.orElseThrow().toStringUtf8());
        return Thread.currentThread().getName();
      }));
    }
    Set<String> out = new TreeSet<>();
    reads.forEach(f -> out.add(f.join()));
    return out;
  }
}

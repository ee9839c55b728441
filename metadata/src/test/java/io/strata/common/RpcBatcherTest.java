package io.strata.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RpcBatcherTest {
  static final int IN_FLIGHT = 4;

  /** A sender that records batch sizes and lets the test decide when each batch completes. */
  final List<Integer> sizes = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<Void>> gates = new ArrayList<>();

  RpcBatcher<String, String> batcher(int maxItems, int maxQueued) {
    return new RpcBatcher<>(reqs -> {
      CompletableFuture<Void> gate = new CompletableFuture<>();
      gates.add(gate);
      sizes.add(reqs.size());
      return gate.thenApply(x -> {
        List<String> replies = new ArrayList<>();
        reqs.forEach(r -> replies.add("re:" + r));
        return replies;
      });
    }, String::length, IN_FLIGHT, maxItems, 1 << 20, maxQueued);
  }

  @Test
  void mergesRequestsQueuedWhileBatchesAreInFlight() {
    RpcBatcher<String, String> b = batcher(512, 1000);
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      results.add(b.submit("c" + i));
    }
    // The first IN_FLIGHT requests left one by one; the rest wait for a slot.
    assertEquals(IN_FLIGHT, gates.size());
    gates.get(0).complete(null);
    assertEquals(IN_FLIGHT + 1, gates.size());
    assertEquals(100 - IN_FLIGHT, sizes.get(IN_FLIGHT), "one merged batch");
    for (int i = 1; i < gates.size(); i++) {
      gates.get(i).complete(null);
    }
    for (int i = 0; i < 100; i++) {
      assertEquals("re:c" + i, results.get(i).join(), "each caller gets its own reply");
    }
  }

  @Test
  void boundsBatchSizeAndQueueAndFailsQueuedOnClose() {
    RpcBatcher<String, String> b = batcher(10, 50);
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      results.add(b.submit("x" + i));
    }
    // 4 sent, 50 queued, the last 6 refused at once.
    for (int i = 54; i < 60; i++) {
      assertTrue(results.get(i).isCompletedExceptionally(), "request " + i + " refused");
    }
    gates.get(0).complete(null);
    assertEquals(10, sizes.get(IN_FLIGHT), "batch capped at 10 items");
    b.close();
    assertTrue(results.get(53).isCompletedExceptionally(), "queued requests fail on close");
  }
}

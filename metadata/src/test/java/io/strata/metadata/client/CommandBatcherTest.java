package io.strata.metadata.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.proto.AllocateIds;
import io.strata.proto.MetaCommand;
import io.strata.proto.MetaResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CommandBatcherTest {
  static MetaCommand cmd(int i) {
    return MetaCommand.newBuilder().setAllocateIds(AllocateIds.newBuilder().setCounter("c" + i).setCount(1)).build();
  }

  @Test
  void mergesCommandsQueuedWhileBatchesAreInFlight() {
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    // Capture the raw futures to complete them later.
    List<CompletableFuture<MetaResult>> results = new ArrayList<>();
    List<CompletableFuture<List<MetaResult>>> raw = new ArrayList<>();
    CommandBatcher b2 = new CommandBatcher(cmds -> {
      CompletableFuture<List<MetaResult>> f = new CompletableFuture<>();
      raw.add(f);
      sizes.add(cmds.size());
      return f.thenApply(x -> {
        List<MetaResult> r = new ArrayList<>();
        cmds.forEach(c -> r.add(MetaResult.newBuilder().setMessage(c.getAllocateIds().getCounter()).build()));
        return r;
      });
    });
    for (int i = 0; i < 100; i++) {
      results.add(b2.submit(cmd(i)));
    }
    // The first MAX_IN_FLIGHT commands left one by one; the rest wait for a slot.
    assertEquals(CommandBatcher.MAX_IN_FLIGHT, raw.size());
    raw.get(0).complete(List.of());
    assertEquals(CommandBatcher.MAX_IN_FLIGHT + 1, raw.size());
    assertEquals(100 - CommandBatcher.MAX_IN_FLIGHT, sizes.get(CommandBatcher.MAX_IN_FLIGHT), "one merged batch");
    for (int i = 1; i < raw.size(); i++) {
      raw.get(i).complete(List.of());
    }
    for (int i = 0; i < 100; i++) {
      assertEquals("c" + i, results.get(i).join().getMessage(), "each caller gets its own result");
    }
    b2.close();
  }
}

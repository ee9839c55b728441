package io.strata.block.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AsyncGateTest {
  @Test
  void closeWaitsForThoseInsideAndRefusesEveryoneAfter() {
    AsyncGate gate = new AsyncGate();
    assertTrue(gate.enter().isDone());
    CompletableFuture<Void> closed = gate.close();
    assertFalse(closed.isDone(), "one mutation is still inside");
    assertTrue(gate.enter().isCompletedExceptionally());
    gate.exit();
    assertTrue(closed.isDone());
    assertTrue(gate.close().isDone(), "closing twice is harmless");
    gate.resume();
    assertTrue(gate.enter().isCompletedExceptionally(), "a resume does not reopen a closed gate");
    assertThrows(IllegalStateException.class, gate::pause);
  }

  @Test
  void mutationsHeldByAPauseAreRefusedWhenTheGateCloses() {
    AsyncGate gate = new AsyncGate();
    assertTrue(gate.pause().isDone());
    CompletableFuture<Void> held = gate.enter();
    assertFalse(held.isDone());
    assertTrue(gate.close().isDone());
    assertTrue(held.isCompletedExceptionally(), "a held mutation must not slip in after the close");
  }
}

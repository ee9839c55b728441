package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightBudgetTest {
  @Test
  void waitersAreWokenOnceWhenRoomReturns() {
    InFlightBudget b = new InFlightBudget(100);
    AtomicInteger woken = new AtomicInteger();
    Runnable r = woken::incrementAndGet;
    b.take(150);
    assertTrue(b.exhausted());
    b.whenRoom(r);
    b.whenRoom(r);  // the same waiter registered twice is woken once
    b.giveBack(20);
    assertEquals(0, woken.get(), "still over the limit");
    b.giveBack(100);
    assertEquals(1, woken.get());
    assertFalse(b.exhausted());
    b.whenRoom(r);
    assertEquals(2, woken.get(), "room already: woken at once");
    assertEquals(30, b.usedBytes());
  }
}

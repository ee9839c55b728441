package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class PendingRequestsTest {
  private static NbdRequest read(long handle, long length) {
    return new NbdRequest(0, Nbd.CMD_READ, handle, 0, length, null, false);
  }

  @Test
  void whoeverRemovesAnEntryFirstAnswersIt() {
    PendingRequests p = new PendingRequests();
    PendingRequests.Pending a = p.add(read(9, 100), 100, 0);
    PendingRequests.Pending b = p.add(read(9, 50), 50, 10);  // a reused handle is still a separate request
    assertEquals(2, p.count());
    assertEquals(150, p.bytes());
    List<PendingRequests.Pending> late = p.expired(1_000, 995);
    assertEquals(List.of(a), late, "only the one older than the timeout");
    assertNull(p.remove(a.id()), "expired: its completion must not answer again");
    assertEquals(b, p.remove(b.id()));
    assertNull(p.remove(b.id()));
    assertEquals(0, p.count());
    assertEquals(0, p.bytes());
  }
}

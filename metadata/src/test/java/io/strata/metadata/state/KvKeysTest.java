package io.strata.metadata.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KvKeysTest {
  @Test
  void roundTripsUserKeys() {
    byte[] k = "bucket/obj".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(k, KvKeys.userKey("objects", KvKeys.key("objects", k)));
  }

  @Test
  void rejectsBadNamespacesAndKeys() {
    assertNull(KvKeys.validate("ok", 10));
    assertNotNull(KvKeys.validate("", 10));
    assertNotNull(KvKeys.validate("a\0b", 10));
    assertNotNull(KvKeys.validate("x".repeat(129), 10));
    assertNotNull(KvKeys.validate("ok", KvCommands.MAX_KEY_BYTES + 1));
  }
}

package io.strata.s3.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadGuessesTest {
  static byte[] record(String etag, int inlineBytes) {
    return new ObjectRecord(inlineBytes, etag, 1L, "o", Map.of(), Map.of(), Map.of(), ObjectRecord.Checksum.NONE, 0, List.of(),
        new ObjectRecord.Version(ObjectRecord.NULL_VERSION, 7, false, 7), new byte[inlineBytes]).encode();
  }

  @Test
  void aGuessIsTheCommittedRecordAndItsVersion() {
    HeadGuesses g = new HeadGuesses();
    assertTrue(g.guess("b", "k").isEmpty());
    g.remember("b", "k", record("e1", 10), 41);
    Versioned<ObjectRecord> v = g.guess("b", "k").orElseThrow();
    assertEquals(41, v.version());
    assertEquals("e1", v.value().etag());
    assertEquals(10, v.value().inline().length);
    g.remember("b", "k", record("e2", 10), 42);
    assertEquals(42, g.guess("b", "k").orElseThrow().version());
    assertEquals(1, g.size());
    g.forget("b", "k");
    assertTrue(g.guess("b", "k").isEmpty());
    assertEquals(0, g.bytes());
  }

  @Test
  void keysOfDifferentBucketsDoNotMix() {
    HeadGuesses g = new HeadGuesses();
    g.remember("b1", "k", record("one", 0), 1);
    g.remember("b2", "k", record("two", 0), 2);
    assertEquals("one", g.guess("b1", "k").orElseThrow().value().etag());
    assertEquals("two", g.guess("b2", "k").orElseThrow().value().etag());
  }

  @Test
  void boundedByEntriesLeastRecentlyUsedFirst() {
    HeadGuesses g = new HeadGuesses(3, 1L << 30);
    g.remember("b", "a", record("a", 0), 1);
    g.remember("b", "b", record("b", 0), 2);
    g.remember("b", "c", record("c", 0), 3);
    g.guess("b", "a");  // touch: "b" is now the eldest
    g.remember("b", "d", record("d", 0), 4);
    assertEquals(3, g.size());
    assertTrue(g.guess("b", "a").isPresent());
    assertFalse(g.guess("b", "b").isPresent());
    assertTrue(g.guess("b", "d").isPresent());
  }

  @Test
  void boundedByBytes() {
    HeadGuesses g = new HeadGuesses(1000, 40_000);
    for (int i = 0; i < 10; i++) {
      g.remember("b", "k" + i, record("e", 16 << 10), i);
      assertTrue(g.bytes() <= 40_000, "bytes " + g.bytes());
    }
    assertEquals(2, g.size());
    assertTrue(g.guess("b", "k9").isPresent());
    HeadGuesses tiny = new HeadGuesses(1000, 1000);
    tiny.remember("b", "big", record("e", 4096), 1);
    assertEquals(0, tiny.size(), "a record larger than the whole bound is not kept");
    assertEquals(0, tiny.bytes());
  }
}

package io.strata.nfs.protocol;

import static io.strata.nfs.client.NfsClient.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.nfs.GatewayFixture;
import io.strata.nfs.client.Attr;
import io.strata.nfs.client.NfsClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** READDIR / READDIRPLUS: cookies, verifiers, byte budgets, and a directory of 100,000 entries. */
class DirectoryTest extends GatewayFixture {
  static final int BIG = 100_000;
  static final int CREATORS = 32;

  static Set<String> names(List<Entry> entries) {
    Set<String> s = new HashSet<>();
    for (Entry e : entries) {
      assertTrue(s.add(e.name()), "listed twice: " + e.name());
    }
    return s;
  }

  @Test
  void pagesResumeFromCookiesWhileTheDirectoryChanges() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "paging");
      for (int i = 0; i < 60; i++) {
        c.create(d, "e" + i, 0644);
      }
      Readdir first = c.readdir(d, 0, 0, 400);
      assertEquals(OK, first.status());
      assertFalse(first.eof());
      assertEquals(".", first.entries().get(0).name());
      assertEquals("..", first.entries().get(1).name());
      long cookie = first.entries().get(first.entries().size() - 1).cookie();
      Set<String> seen = names(first.entries());
      for (int i = 0; i < 60; i++) {
        if (!seen.contains("e" + i)) {
          c.remove(d, "e" + i);
          break;
        }
      }
      c.create(d, "late", 0644);
      List<Entry> rest = new ArrayList<>();
      long verf = first.verf();
      while (true) {
        Readdir r = c.readdir(d, cookie, verf, 400);
        assertEquals(OK, r.status());
        rest.addAll(r.entries());
        if (r.eof()) {
          break;
        }
        cookie = r.entries().get(r.entries().size() - 1).cookie();
      }
      Set<String> all = new HashSet<>(seen);
      for (String n : names(rest)) {
        assertTrue(all.add(n), "an entry came back twice: " + n);
      }
      assertTrue(all.contains("late"), "an entry created behind the cursor is listed");
      assertEquals(2 + 60 - 1 + 1, all.size(), "one removed ahead of the cursor, one added");
      long prev = 0;
      for (Entry e : c.listAll(d, false, 4096)) {
        assertTrue(e.cookie() > prev, "cookies rise");
        prev = e.cookie();
      }
    }
  }

  @Test
  void badCookiesAndTooSmallCounts() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "cookies");
      c.create(d, "a", 0644);
      Readdir r = c.readdir(d, 0, 0, 4096);
      long cookie = r.entries().get(r.entries().size() - 1).cookie();
      assertEquals(OK, c.readdir(d, cookie, r.verf(), 4096).status());
      assertEquals(BAD_COOKIE, c.readdir(d, cookie, r.verf() ^ 1, 4096).status(), "wrong verifier");
      assertEquals(BAD_COOKIE, c.readdir(d, 1L << 40, r.verf(), 4096).status(), "a cookie never handed out");
      assertEquals(TOOSMALL, c.readdir(d, 0, 0, 60).status());
      assertEquals(TOOSMALL, c.readdirplus(d, 0, 0, 4096, 120).status());
      byte[] f = c.fh(c.create(d, "file", 0644));
      assertEquals(NOTDIR, c.readdir(f, 0, 0, 4096).status());
    }
  }

  @Test
  void readdirplusCarriesAttributesAndHandles() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "plus");
      c.mkdir(d, "sub", 0750);
      c.write(c.fh(c.create(d, "f", 0640)), 0, new byte[77], FILE_SYNC);
      List<Entry> all = c.listAll(d, true, 4096);
      assertEquals(4, all.size());
      for (Entry e : all) {
        assertNotNull(e.attr(), e.name());
        assertNotNull(e.fh(), e.name());
        Attr direct = c.getattr(e.fh());
        assertEquals(direct.fileid(), e.attr().fileid());
        assertEquals(direct.fileid(), e.fileid());
      }
      Entry f = all.stream().filter(e -> e.name().equals("f")).findFirst().orElseThrow();
      assertEquals(77, f.attr().size());
      assertArrayEquals(c.lookup(d, "f").fh(), f.fh());
    }
  }

  @Test
  void aDirectoryOfOneHundredThousandEntriesPaginates() throws Exception {
    byte[] d;
    try (NfsClient c = client()) {
      d = freshDir(c, "big");
    }
    long t0 = System.nanoTime();
    java.util.concurrent.atomic.AtomicInteger progress = new java.util.concurrent.atomic.AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(CREATORS);
    List<Future<Integer>> done = new ArrayList<>();
    for (int t = 0; t < CREATORS; t++) {
      int from = t;
      done.add(pool.submit(() -> {
        int ok = 0;
        try (NfsClient c = client()) {
          for (int i = from; i < BIG; i += CREATORS) {
            if (c.create(d, String.format("entry-%06d", i), 0644).status() == OK) {
              ok++;
            }
            if (progress.incrementAndGet() % 10_000 == 0) {
              System.out.printf("%d entries created in %.1f s%n", progress.get(), (System.nanoTime() - t0) / 1e9);
            }
          }
        }
        return ok;
      }));
    }
    int created = 0;
    for (Future<Integer> f : done) {
      created += f.get();
    }
    pool.shutdown();
    assertEquals(BIG, created);
    System.out.printf("created %d entries in %.1f s%n", created, (System.nanoTime() - t0) / 1e9);
    try (NfsClient c = client()) {
      List<Entry> plain = c.listAll(d, false, 32 * 1024);
      System.out.printf("READDIR listed them at %.1f s%n", (System.nanoTime() - t0) / 1e9);
      assertEquals(BIG + 2, plain.size());
      Set<String> n = names(plain);
      for (int i = 0; i < BIG; i += 997) {
        assertTrue(n.contains(String.format("entry-%06d", i)));
      }
      List<Entry> plus = c.listAll(d, true, 32 * 1024);
      assertEquals(BIG + 2, plus.size());
      assertTrue(plus.stream().allMatch(e -> e.attr() != null && e.fh() != null));
      System.out.printf("READDIRPLUS listed them at %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
  }
}

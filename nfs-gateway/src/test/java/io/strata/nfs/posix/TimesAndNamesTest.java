package io.strata.nfs.posix;

import static io.strata.nfs.client.NfsClient.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.nfs.GatewayFixture;
import io.strata.nfs.client.Attr;
import io.strata.nfs.client.NfsClient;
import io.strata.nfs.client.Sattr;
import org.junit.jupiter.api.Test;

/**
 * ctime and mtime on each call, link counts, rename/link/unlink/rmdir edge cases, name and path
 * limits, and SETATTR on a symbolic link itself (lchown).
 */
class TimesAndNamesTest extends GatewayFixture {

  private static void later(Attr before, Attr after, boolean mtime, boolean ctime, String what) {
    assertEquals(mtime, after.mtime() > before.mtime(), what + ": mtime " + (mtime ? "moves" : "stays"));
    assertEquals(ctime, after.ctime() > before.ctime(), what + ": ctime " + (ctime ? "moves" : "stays"));
  }

  @Test
  void eachCallMovesTheRightTimes() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "times");
      Attr d0 = c.getattr(d);
      byte[] f = c.fh(c.create(d, "f", 0644));
      Attr d1 = c.getattr(d);
      later(d0, d1, true, true, "CREATE on the directory");
      Attr f0 = c.getattr(f);
      c.write(f, 0, new byte[100], UNSTABLE);
      Attr f1 = c.getattr(f);
      later(f0, f1, true, true, "WRITE on the file");
      later(d1, c.getattr(d), false, false, "WRITE on the directory");
      c.read(f, 0, 10);
      Attr f2 = c.getattr(f);
      later(f1, f2, false, false, "READ");
      c.setattr(f, Sattr.mode(0600));
      Attr f3 = c.getattr(f);
      later(f2, f3, false, true, "chmod");
      c.setattr(f, Sattr.size(10));
      Attr f4 = c.getattr(f);
      later(f3, f4, true, true, "truncate");
      Attr d2 = c.getattr(d);
      c.link(f, d, "f2");
      Attr f5 = c.getattr(f);
      later(f4, f5, false, true, "LINK on the file");
      later(d2, c.getattr(d), true, true, "LINK on the directory");
      byte[] sub = c.fh(c.mkdir(d, "sub", 0755));
      Attr d3 = c.getattr(d);
      Attr s0 = c.getattr(sub);
      c.rename(d, "f2", sub, "moved");
      later(d3, c.getattr(d), true, true, "RENAME on the source directory");
      later(s0, c.getattr(sub), true, true, "RENAME on the target directory");
      later(f5, c.getattr(f), false, true, "RENAME on the moved file");
      Attr f6 = c.getattr(f);
      Attr s1 = c.getattr(sub);
      c.remove(sub, "moved");
      later(f6, c.getattr(f), false, true, "REMOVE of one link on the file");
      later(s1, c.getattr(sub), true, true, "REMOVE on the directory");
      Attr f7 = c.getattr(f);
      c.commit(f);
      later(f7, c.getattr(f), false, false, "COMMIT");
      assertEquals(f7.size(), c.getattr(f).size());
    }
  }

  @Test
  void linkCounts() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "nlink");
      assertEquals(2, c.getattr(d).nlink());
      byte[] a = c.fh(c.mkdir(d, "a", 0755));
      c.mkdir(d, "b", 0755);
      assertEquals(4, c.getattr(d).nlink());
      assertEquals(2, c.getattr(a).nlink());
      byte[] f = c.fh(c.create(d, "f", 0644));
      c.link(f, a, "f1");
      c.link(f, a, "f2");
      assertEquals(3, c.getattr(f).nlink());
      assertEquals(4, c.getattr(d).nlink(), "file links do not count on the directory");
      c.rename(d, "b", a, "b");
      assertEquals(3, c.getattr(d).nlink());
      assertEquals(3, c.getattr(a).nlink());
      c.rmdir(a, "b");
      assertEquals(2, c.getattr(a).nlink());
      c.create(d, "victim", 0644);
      c.rename(a, "f1", d, "victim");
      assertEquals(3, c.getattr(f).nlink(), "renaming a link over another name keeps the count");
      assertEquals(OK, c.rename(a, "f2", d, "victim").status());
      assertEquals(3, c.getattr(f).nlink(), "two links of one file: rename does nothing (POSIX)");
      assertEquals(OK, c.lookup(a, "f2").status());
      byte[] e1 = c.fh(c.mkdir(d, "e1", 0755));
      byte[] e2 = c.fh(c.mkdir(d, "e2", 0755));
      assertEquals(OK, c.rename(d, "e1", d, "e2").status(), "a directory replaces an empty one");
      assertEquals(STALE, c.getattrStatus(e2));
      assertArrayEquals(e1, c.lookup(d, "e2").fh());
      assertEquals(4, c.getattr(d).nlink(), "a and e2 (was e1) remain: 2 + 2");
    }
  }

  @Test
  void nameAndPathLimits() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "names");
      String n255 = "a".repeat(255);
      String n256 = "b".repeat(256);
      assertEquals(OK, c.create(d, n255, 0644).status());
      assertEquals(OK, c.lookup(d, n255).status());
      assertEquals(NAMETOOLONG, c.create(d, n256, 0644).status());
      assertEquals(NAMETOOLONG, c.mkdir(d, n256, 0755).status());
      assertEquals(NAMETOOLONG, c.symlink(d, n256, "t").status());
      byte[] f = c.fh(c.create(d, "f", 0644));
      assertEquals(NAMETOOLONG, c.link(f, d, n256).status());
      assertEquals(NAMETOOLONG, c.rename(d, "f", d, n256).status());
      assertEquals(NAMETOOLONG, c.remove(d, n256).status());
      String path4096 = ("p".repeat(254) + "/").repeat(16) + "q".repeat(16);
      assertEquals(4096, path4096.length());
      assertEquals(OK, c.symlink(d, "deep", path4096).status());
      assertEquals(path4096, c.readlink(c.lookup(d, "deep").fh()).target());
      assertEquals(NAMETOOLONG, c.symlink(d, "deeper", path4096 + "x").status());
      String odd = "\u00e9t\u00e9 \u0001\u00ff";
      assertEquals(OK, c.create(d, odd, 0644).status(), "names are bytes: any byte but '/' and NUL");
      assertTrue(c.listAll(d, false, 4096).stream().anyMatch(e -> e.name().equals(odd)));
      assertEquals(INVAL, c.create(d, "a/b", 0644).status());
    }
  }

  @Test
  void setattrOnASymlinkChangesTheLinkItself() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "lchown");
      byte[] target = c.fh(c.create(d, "target", 0644));
      Created l = c.symlink(d, "link", "target");
      assertEquals(OK, c.setattr(l.fh(), Sattr.owner(1234, 5678)).status());
      Attr la = c.getattr(l.fh());
      assertEquals(Attr.LNK, la.type());
      assertEquals(1234, la.uid());
      assertEquals(5678, la.gid());
      Attr ta = c.getattr(target);
      assertEquals(0, ta.uid(), "the target is untouched");
      assertEquals("target", c.readlink(l.fh()).target());
      Lookup viaName = c.lookup(d, "link");
      assertEquals(Attr.LNK, viaName.attr().type(), "LOOKUP does not follow links");
    }
  }

  @Test
  void unlinkAndRmdirEdgeCases() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "edges");
      assertEquals(INVAL, c.rmdir(d, ".").status());
      assertEquals(NOTEMPTY, c.rmdir(d, "..").status());
      assertEquals(INVAL, c.remove(d, ".").status());
      assertEquals(INVAL, c.rename(d, ".", d, "x").status());
      assertEquals(INVAL, c.rename(d, "..", d, "x").status());
      byte[] f = c.fh(c.create(d, "f", 0644));
      assertEquals(NOTDIR, c.create(f, "x", 0644).status());
      assertEquals(NOTDIR, c.remove(f, "x").status());
      assertEquals(NOTDIR, c.rename(d, "f", f, "x").status());
      c.remove(d, "f");
      assertEquals(STALE, c.create(f, "x", 0644).status());
      assertEquals(STALE, c.getattrStatus(f));
      assertEquals(STALE, c.write(f, 0, new byte[1], UNSTABLE).status());
    }
  }
}

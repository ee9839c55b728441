package io.strata.nfs.protocol;

import static io.strata.nfs.client.NfsClient.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.nfs.GatewayFixture;
import io.strata.nfs.client.Attr;
import io.strata.nfs.client.NfsClient;
import io.strata.nfs.client.Sattr;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every NFSv3 procedure through the wire, with its error cases. */
class Nfs3ProceduresTest extends GatewayFixture {

  @Test
  void getattrOfRootAndBadHandles() {
    try (NfsClient c = client()) {
      byte[] root = c.mount("/t");
      Attr a = c.getattr(root);
      assertEquals(Attr.DIR, a.type());
      assertEquals(0777, a.mode());
      assertEquals(BADHANDLE, c.getattrStatus(new byte[] {1, 2, 3}));
      byte[] forged = root.clone();
      forged[forged.length - 1] ^= 0x5a;  // right inode, wrong generation
      assertEquals(STALE, c.getattrStatus(forged));
    }
  }

  @Test
  void lookupFindsNamesAndRefusesBadOnes() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "lookup");
      byte[] f = c.fh(c.create(d, "file", 0644));
      Lookup l = c.lookup(d, "file");
      assertEquals(OK, l.status());
      assertArrayEquals(f, l.fh());
      assertEquals(Attr.REG, l.attr().type());
      assertNotNull(l.dir());
      assertEquals(NOENT, c.lookup(d, "missing").status());
      assertEquals(NOTDIR, c.lookup(f, "x").status());
      assertEquals(NAMETOOLONG, c.lookup(d, "n".repeat(256)).status());
      assertArrayEquals(d, c.lookup(d, ".").fh());
      byte[] root = c.mount("/t");
      assertArrayEquals(root, c.lookup(d, "..").fh());
      assertArrayEquals(root, c.lookup(root, "..").fh());
    }
  }

  @Test
  void createModes() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "create");
      Created first = c.create(d, "g", 1, Sattr.mode(0640), 0);
      assertEquals(OK, first.status());
      assertEquals(0640, first.attr().mode());
      assertNotNull(first.dir().before());
      assertNotNull(first.dir().after());
      assertEquals(EXIST, c.create(d, "g", 1, Sattr.mode(0640), 0).status());
      c.write(first.fh(), 0, "hello".getBytes(StandardCharsets.UTF_8), FILE_SYNC);
      Created unchecked = c.create(d, "g", 0, Sattr.size(0), 0);
      assertEquals(OK, unchecked.status());
      assertArrayEquals(first.fh(), unchecked.fh());
      assertEquals(0, c.getattr(first.fh()).size());
      Created ex = c.create(d, "x", 2, null, 0x1234567890L);
      assertEquals(OK, ex.status());
      Created retry = c.create(d, "x", 2, null, 0x1234567890L);
      assertEquals(OK, retry.status(), "a retried EXCLUSIVE create with the same verifier succeeds");
      assertArrayEquals(ex.fh(), retry.fh());
      assertEquals(EXIST, c.create(d, "x", 2, null, 0x999L).status());
      assertEquals(EXIST, c.create(d, "..", 1, Sattr.mode(0644), 0).status());
      assertEquals(NAMETOOLONG, c.create(d, "n".repeat(256), 1, Sattr.mode(0644), 0).status());
      assertEquals(OK, c.create(d, "n".repeat(255), 1, Sattr.mode(0644), 0).status());
    }
  }

  @Test
  void writeReadCommitAndVerifier() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "rw");
      byte[] f = c.fh(c.create(d, "data", 0644));
      byte[] payload = new byte[300_000];
      new Random(1).nextBytes(payload);
      Write w = c.write(f, 1_000_000, payload, UNSTABLE);
      assertEquals(OK, w.status());
      assertEquals(payload.length, w.count());
      assertEquals(UNSTABLE, w.committed());
      assertEquals(0, w.wcc().before().size());
      assertEquals(1_300_000, w.wcc().after().size());
      Read hole = c.read(f, 0, 4096);
      assertEquals(4096, hole.count());
      assertArrayEquals(new byte[4096], hole.data(), "a hole reads as zeroes");
      Read back = c.read(f, 1_000_000, payload.length + 100);
      assertArrayEquals(payload, back.data());
      assertTrue(back.eof());
      assertEquals(0, c.read(f, 5_000_000, 10).count());
      Commit cm = c.commit(f);
      assertEquals(OK, cm.status());
      assertArrayEquals(w.verf(), cm.verf());
      Write sync = c.write(f, 0, new byte[] {9}, FILE_SYNC);
      assertEquals(FILE_SYNC, sync.committed());
      assertArrayEquals(w.verf(), sync.verf());
      assertEquals(ISDIR, c.write(d, 0, new byte[1], UNSTABLE).status());
      assertEquals(ISDIR, c.read(d, 0, 1).status());
    }
  }

  @Test
  void setattrSizeTimesAndGuard() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "setattr");
      byte[] f = c.fh(c.create(d, "s", 0644));
      byte[] data = new byte[3 << 20];
      Arrays.fill(data, (byte) 7);
      c.write(f, 0, Arrays.copyOf(data, 1 << 20), UNSTABLE);
      c.write(f, 1 << 20, Arrays.copyOf(data, 1 << 20), UNSTABLE);
      c.write(f, 2 << 20, Arrays.copyOf(data, 1 << 20), UNSTABLE);
      c.commit(f);
      assertEquals(OK, c.setattr(f, Sattr.size(1_500_000)).status());
      assertEquals(OK, c.setattr(f, Sattr.size(4_000_000)).status());
      Read r = c.read(f, 1_499_990, 20);
      byte[] want = new byte[20];
      Arrays.fill(want, 0, 10, (byte) 7);
      assertArrayEquals(want, r.data(), "bytes past a truncation read as zeroes after regrowing");
      Attr a = c.getattr(f);
      assertEquals(4_000_000, a.size());
      assertEquals(NOT_SYNC, c.setattr(f, Sattr.mode(0600), a.ctime() - 1).status());
      assertEquals(OK, c.setattr(f, Sattr.mode(0600), a.ctime()).status());
      assertEquals(OK, c.setattr(f, Sattr.times(1_000_000_000L * 86400, 2_000_000_007L)).status());
      Attr t = c.getattr(f);
      assertEquals(1_000_000_000L * 86400, t.atime());
      assertEquals(2_000_000_007L, t.mtime());
      assertEquals(ISDIR, c.setattr(d, Sattr.size(0)).status());
    }
  }

  @Test
  void directoriesAndRemoval() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "dirs");
      Created sub = c.mkdir(d, "sub", 0755);
      assertEquals(OK, sub.status());
      assertEquals(Attr.DIR, sub.attr().type());
      assertEquals(3, c.getattr(d).nlink(), "a subdirectory adds a link to its parent");
      assertEquals(EXIST, c.mkdir(d, "sub", 0755).status());
      c.create(sub.fh(), "inner", 0644);
      assertEquals(NOTEMPTY, c.rmdir(d, "sub").status());
      assertEquals(ISDIR, c.remove(d, "sub").status());
      assertEquals(OK, c.remove(sub.fh(), "inner").status());
      assertEquals(NOENT, c.remove(sub.fh(), "inner").status());
      c.create(d, "plain", 0644);
      assertEquals(NOTDIR, c.rmdir(d, "plain").status());
      Status rm = c.rmdir(d, "sub");
      assertEquals(OK, rm.status());
      assertEquals(2, rm.wcc().after().nlink());
      assertEquals(STALE, c.getattrStatus(sub.fh()), "a removed directory's handle is stale");
      assertEquals(INVAL, c.rmdir(d, ".").status());
    }
  }

  @Test
  void symlinksAndSpecialFiles() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "special");
      Created l = c.symlink(d, "link", "../some/where");
      assertEquals(OK, l.status());
      assertEquals(Attr.LNK, l.attr().type());
      assertEquals("../some/where", c.readlink(l.fh()).target());
      byte[] f = c.fh(c.create(d, "f", 0644));
      assertEquals(INVAL, c.readlink(f).status());
      assertEquals(NAMETOOLONG, c.symlink(d, "long", "x".repeat(4097)).status());
      Created fifo = c.mknod(d, "fifo", Attr.FIFO, 0600, 0, 0);
      assertEquals(OK, fifo.status());
      assertEquals(Attr.FIFO, fifo.attr().type());
      assertEquals(Attr.SOCK, c.mknod(d, "sock", Attr.SOCK, 0600, 0, 0).attr().type());
      Created chr = c.mknod(d, "null", Attr.CHR, 0666, 1, 3);
      assertEquals(OK, chr.status());
      assertEquals(1L << 32 | 3, chr.attr().rdev());
      c.as(1000, 1000);
      assertEquals(PERM, c.mknod(d, "dev", Attr.BLK, 0600, 8, 0).status());
      assertEquals(BADTYPE, c.mknod(d, "reg", Attr.REG, 0600, 0, 0).status());
    }
  }

  @Test
  void hardLinks() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "links");
      byte[] f = c.fh(c.create(d, "a", 0644));
      Link l = c.link(f, d, "b");
      assertEquals(OK, l.status());
      assertEquals(2, l.file().nlink());
      assertEquals(EXIST, c.link(f, d, "b").status());
      assertEquals(ISDIR, c.link(d, d, "c").status());
      c.write(f, 0, "shared".getBytes(StandardCharsets.UTF_8), FILE_SYNC);
      byte[] viaB = c.lookup(d, "b").fh();
      assertArrayEquals(f, viaB);
      assertEquals(OK, c.remove(d, "a").status());
      assertEquals(1, c.getattr(viaB).nlink());
      assertEquals("shared", new String(c.read(viaB, 0, 100).data(), StandardCharsets.UTF_8));
      assertEquals(OK, c.remove(d, "b").status());
      assertEquals(STALE, c.getattrStatus(f));
    }
  }

  @Test
  void renames() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "ren");
      byte[] a = c.fh(c.mkdir(d, "a", 0755));
      byte[] b = c.fh(c.mkdir(d, "b", 0755));
      byte[] f = c.fh(c.create(a, "f", 0644));
      c.write(f, 0, "one".getBytes(StandardCharsets.UTF_8), FILE_SYNC);
      byte[] g = c.fh(c.create(b, "g", 0644));
      Rename r = c.rename(a, "f", b, "g");
      assertEquals(OK, r.status());
      assertNotNull(r.from().after());
      assertNotNull(r.to().after());
      assertEquals(NOENT, c.lookup(a, "f").status());
      assertArrayEquals(f, c.lookup(b, "g").fh(), "the moved file keeps its handle");
      assertEquals(STALE, c.getattrStatus(g), "the replaced target is gone");
      assertEquals(INVAL, c.rename(d, "a", a, "inside").status(), "a directory cannot move into itself");
      byte[] sub = c.fh(c.mkdir(a, "sub", 0755));
      assertEquals(INVAL, c.rename(d, "a", sub, "deeper").status());
      c.create(b, "keep", 0644);
      assertEquals(NOTEMPTY, c.rename(d, "a", d, "b").status());
      assertEquals(ISDIR, c.rename(b, "g", d, "a").status());
      assertEquals(NOTDIR, c.rename(a, "sub", b, "g").status());
      assertEquals(OK, c.rename(a, "sub", b, "moved").status());
      assertEquals(2, c.getattr(a).nlink());
      assertEquals(3, c.getattr(b).nlink());
      assertArrayEquals(b, c.lookup(sub, "..").fh(), "'..' follows a moved directory");
      assertEquals(OK, c.rename(b, "g", b, "g").status(), "renaming onto itself is a no-op");
      assertEquals(NOENT, c.rename(a, "nothing", b, "x").status());
    }
  }

  @Test
  void accessFsstatFsinfoPathconf() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c, "info");
      byte[] f = c.fh(c.create(d, "mine", 0600));
      assertEquals(0x01 | 0x04 | 0x08, c.access(f, 0x3f).granted(), "root on a 0600 file: read, modify, extend (no exec bit)");
      assertEquals(0x3f & ~0x20, c.access(d, 0x3f).granted(), "root on a directory: all but execute (a file bit)");
      c.as(4242, 4242);
      assertEquals(0, c.access(f, 0x01 | 0x04).granted(), "others get nothing on a 0600 file");
      Fsstat s = c.fsstat(d);
      assertEquals(OK, s.status());
      assertEquals(10L << 30, s.tbytes());
      assertTrue(s.fbytes() <= s.tbytes());
      Fsinfo i = c.fsinfo(d);
      assertEquals(1 << 20, i.rtmax());
      assertEquals(1 << 20, i.wtmax());
      assertEquals(0x1b, i.properties());
      Pathconf p = c.pathconf(d);
      assertEquals(255, p.nameMax());
      assertTrue(p.noTrunc());
      assertTrue(p.chownRestricted());
    }
  }

  @Test
  void unknownProcedureAndNullCalls() {
    try (NfsClient c = client()) {
      assertEquals(0, c.call(NFS, 3, 0, new byte[0]).acceptStat());
      assertEquals(3, c.call(NFS, 3, 22, new byte[0]).acceptStat(), "PROC_UNAVAIL");
      assertEquals(0, c.call(MOUNT, 3, 0, new byte[0]).acceptStat());
      assertNull(c.mnt("/nope").fh());
      assertEquals(NOENT, c.mnt("/nope").status());
      assertFalse(c.mnt("/t").flavors().isEmpty());
    }
  }
}

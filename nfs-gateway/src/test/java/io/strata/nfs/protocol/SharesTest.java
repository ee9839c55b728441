package io.strata.nfs.protocol;

import static io.strata.nfs.client.NfsClient.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.minicluster.MiniCluster;
import io.strata.nfs.GatewayFixture;
import io.strata.nfs.client.NfsClient;
import io.strata.nfs.client.Sattr;
import io.strata.nfs.fs.FsKeys;
import io.strata.nfs.share.Share;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Export rules at MNT and on every call, root squash, read-only shares, quotas, deletion. */
class SharesTest extends GatewayFixture {

  @Test
  void clientsOutsideTheRulesAreRefusedAtMountAndOnEveryCall() {
    gateway.shares().create("only-one", 1L << 30, List.of("127.0.0.1/32"), false, false);
    try (NfsClient allowed = new NfsClient(gateway.nfsPort(), "127.0.0.1");
         NfsClient other = new NfsClient(gateway.nfsPort(), "127.0.0.2")) {
      byte[] root = allowed.mount("/only-one");
      byte[] f = allowed.fh(allowed.create(root, "f", 0644));
      assertEquals(13, other.mnt("/only-one").status(), "MNT3ERR_ACCES");
      assertEquals(ACCES, other.getattrStatus(root), "a handle obtained elsewhere is refused too");
      assertEquals(ACCES, other.read(f, 0, 1).status());
      assertEquals(ACCES, other.write(f, 0, new byte[1], FILE_SYNC).status());
      assertEquals(ACCES, other.create(root, "g", 0644).status());
      assertEquals(OK, allowed.getattrStatus(f));
    }
  }

  @Test
  void rootIsSquashedWhenTheShareSaysSo() {
    gateway.shares().create("squashed", 1L << 30, List.of("127.0.0.0/8"), false, true);
    gateway.shares().create("trusted", 1L << 30, List.of("127.0.0.0/8"), false, false);
    try (NfsClient c = client()) {
      byte[] sq = c.mount("/squashed");
      Created f = c.as(0, 0).create(sq, "by-root", 0644);
      assertEquals(65534, f.attr().uid());
      assertEquals(65534, f.attr().gid());
      assertEquals(PERM, c.setattr(f.fh(), Sattr.owner(0, null)).status(), "squashed root is no longer root");
      byte[] tr = c.mount("/trusted");
      Created g = c.as(0, 0).create(tr, "by-root", 0644);
      assertEquals(0, g.attr().uid());
      assertEquals(OK, c.setattr(g.fh(), Sattr.owner(1234, null)).status());
    }
  }

  @Test
  void readOnlySharesRefuseChanges() {
    gateway.shares().create("ro", 1L << 30, List.of("127.0.0.0/8"), true, false);
    try (NfsClient c = client()) {
      byte[] root = c.mount("/ro");
      assertEquals(ROFS, c.create(root, "x", 0644).status());
      assertEquals(ROFS, c.mkdir(root, "d", 0755).status());
      assertEquals(ROFS, c.setattr(root, Sattr.mode(0700)).status());
      assertEquals(OK, c.getattrStatus(root));
      assertEquals(OK, c.readdir(root, 0, 0, 4096).status());
      assertEquals(0, c.access(root, 0x04 | 0x08 | 0x10).granted(), "ACCESS offers no write bits");
    }
  }

  @Test
  void quotaShowsInFsstatAndIsEnforced() {
    gateway.shares().create("small", 4L << 20, List.of("127.0.0.0/8"), false, false);
    try (NfsClient c = client()) {
      byte[] root = c.mount("/small");
      Fsstat empty = c.fsstat(root);
      assertEquals(4L << 20, empty.tbytes());
      assertEquals(4L << 20, empty.fbytes());
      byte[] f = c.fh(c.create(root, "f", 0644));
      for (int i = 0; i < 3; i++) {
        assertEquals(OK, c.write(f, (long) i << 20, new byte[1 << 20], UNSTABLE).status());
      }
      assertEquals(1L << 20, c.fsstat(root).fbytes());
      assertEquals(OK, c.write(f, 3 << 20, new byte[1 << 19], UNSTABLE).status());
      assertEquals(DQUOT, c.write(f, (3 << 20) + (1 << 19), new byte[1 << 20], UNSTABLE).status());
      c.setattr(f, Sattr.size(3 << 20));
      assertEquals(DQUOT, c.setattr(f, Sattr.size(8L << 20)).status());
      assertEquals(3L << 20, c.getattr(f).size(), "a refused write leaves the file as it was");
      assertEquals(OK, c.remove(root, "f").status());
      assertEquals(4L << 20, c.fsstat(root).fbytes(), "removal gives the space back");
    }
  }

  @Test
  void deletingAShareStalesItsHandlesAndErasesItsData() {
    Share s = gateway.shares().create("doomed", 1L << 30, List.of("127.0.0.0/8"), false, false);
    try (NfsClient c = client()) {
      byte[] root = c.mount("/doomed");
      byte[] f = c.fh(c.create(root, "f", 0644));
      c.write(f, 0, new byte[100_000], FILE_SYNC);
      gateway.shares().delete("doomed");
      MiniCluster.waitFor(() -> c.getattrStatus(f) == STALE, Duration.ofSeconds(30), "stale handles");
      assertEquals(2, c.mnt("/doomed").status(), "MNT3ERR_NOENT");
      MiniCluster.waitFor(() -> cluster.client().metadata().scan(FsKeys.NAMESPACE, FsKeys.inodePrefix(s.fsid()),
          new byte[0], 10).getEntriesCount() == 0, Duration.ofSeconds(60), "the file system erased");
    }
    assertThrows(IllegalArgumentException.class, () -> gateway.shares().delete("doomed"));
  }

  @Test
  void shareValidation() {
    assertThrows(IllegalArgumentException.class, () -> gateway.shares().create("bad/name", 1, List.of("*"), false, false));
    assertThrows(IllegalArgumentException.class, () -> gateway.shares().create("x", 1 << 20, List.of("300.1.1.1/8"), false, false));
    assertThrows(IllegalArgumentException.class, () -> gateway.shares().create("y", 1 << 20, List.of(), false, false));
    assertThrows(IllegalStateException.class, () -> gateway.shares().create("t", 1 << 20, List.of("*"), false, false));
    assertNotNull(gateway.shares().get("t").orElse(null));
    assertTrue(gateway.shares().list().stream().anyMatch(x -> x.name().equals("t")));
  }

  @Test
  void exportAndDumpListShares() {
    try (NfsClient c = client()) {
      c.mount("/t");
      io.strata.nfs.client.XdrIn ex = c.call(MOUNT, 3, 5, new byte[0]).body();
      boolean found = false;
      while (ex.bool()) {
        String dir = ex.string();
        while (ex.bool()) {
          ex.string();
        }
        found |= dir.equals("/t");
      }
      assertTrue(found, "EXPORT lists /t");
      io.strata.nfs.client.XdrIn dump = c.call(MOUNT, 3, 2, new byte[0]).body();
      assertTrue(dump.bool(), "DUMP lists the mount");
      c.call(MOUNT, 3, 4, new byte[0]);
      assertEquals(false, c.call(MOUNT, 3, 2, new byte[0]).body().bool(), "UMNTALL forgets it");
    }
  }
}

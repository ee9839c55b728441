package io.strata.nfs.posix;

import static io.strata.nfs.client.NfsClient.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.nfs.GatewayFixture;
import io.strata.nfs.client.Attr;
import io.strata.nfs.client.NfsClient;
import io.strata.nfs.client.Sattr;
import org.junit.jupiter.api.Test;

/**
 * pjdfstest-style permission and ownership rules driven through NFSv3 with AUTH_SYS identities:
 * owner / group (primary and supplementary) / other / root, chmod and chown rights, setuid and
 * setgid clearing, sticky and setgid directories.
 */
class PermissionsTest extends GatewayFixture {
  static final int READ = 0x01;
  static final int LOOKUP = 0x02;
  static final int MODIFY = 0x04;

  /** A file owned by 1000:100 with the given mode, in a fresh 0777 directory. */
  static byte[][] fileOwnedBy1000(NfsClient c, String dirName, int mode) {
    byte[] d = freshDir(c.as(0, 0), dirName);
    byte[] f = c.fh(c.create(d, "f", mode));
    assertEquals(OK, c.setattr(f, Sattr.owner(1000, 100)).status());
    return new byte[][] {d, f};
  }

  @Test
  void ownerGroupOtherAndRootClasses() {
    try (NfsClient c = client()) {
      byte[] f = fileOwnedBy1000(c, "classes", 0640)[1];
      assertEquals(READ | MODIFY, c.as(1000, 999).access(f, READ | MODIFY).granted(), "owner: rw-");
      assertEquals(READ, c.as(2000, 100).access(f, READ | MODIFY).granted(), "primary group: r--");
      assertEquals(READ, c.as(2000, 555, 7, 100).access(f, READ | MODIFY).granted(), "supplementary group: r--");
      assertEquals(0, c.as(3000, 3000).access(f, READ | MODIFY).granted(), "other: ---");
      assertEquals(READ | MODIFY, c.as(0, 0).access(f, READ | MODIFY).granted(), "root passes");
      assertEquals(ACCES, c.as(3000, 3000).read(f, 0, 10).status());
      assertEquals(ACCES, c.as(2000, 100).write(f, 0, new byte[1], FILE_SYNC).status());
      assertEquals(OK, c.as(2000, 100).read(f, 0, 10).status());
      assertEquals(OK, c.as(1000, 100).write(f, 0, new byte[1], FILE_SYNC).status());
    }
  }

  @Test
  void ownerClassWinsEvenWhenItGrantsLess() {
    try (NfsClient c = client()) {
      byte[] f = fileOwnedBy1000(c, "ownerless", 0074)[1];
      assertEquals(0, c.as(1000, 100).access(f, READ).granted(), "owner bits --- apply, not group's rwx");
      assertEquals(READ, c.as(2000, 100).access(f, READ).granted());
    }
  }

  @Test
  void directoryPermissions() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c.as(0, 0), "dirperm");
      byte[] priv = c.fh(c.mkdir(d, "priv", 0755));
      c.setattr(priv, Sattr.owner(1000, 100));
      c.create(priv, "inside", 0644);
      assertEquals(ACCES, c.as(2000, 200).create(priv, "x", 0644).status(), "no write permission on the directory");
      assertEquals(ACCES, c.as(2000, 200).remove(priv, "inside").status());
      assertEquals(OK, c.as(1000, 100).create(priv, "mine", 0644).status());
      c.as(1000, 100).setattr(priv, Sattr.mode(0700));
      assertEquals(ACCES, c.as(2000, 200).lookup(priv, "inside").status(), "no search permission");
      assertEquals(0, c.as(2000, 200).access(priv, LOOKUP).granted());
      assertEquals(ACCES, c.as(2000, 200).readdir(priv, 0, 0, 4096).status(), "no read permission");
      assertEquals(OK, c.as(0, 0).lookup(priv, "inside").status());
    }
  }

  @Test
  void chmodNeedsOwnershipAndDropsSetgidForNonMembers() {
    try (NfsClient c = client()) {
      byte[] f = fileOwnedBy1000(c, "chmod", 0644)[1];
      assertEquals(PERM, c.as(2000, 100).setattr(f, Sattr.mode(0777)).status());
      assertEquals(OK, c.as(1000, 100).setattr(f, Sattr.mode(02755)).status());
      assertEquals(02755, c.getattr(f).mode(), "owner in the file's group keeps setgid");
      c.as(0, 0).setattr(f, Sattr.owner(null, 300));
      assertEquals(OK, c.as(1000, 100).setattr(f, Sattr.mode(02755)).status());
      assertEquals(0755, c.getattr(f).mode(), "setgid dropped: owner is not in group 300");
      assertEquals(OK, c.as(0, 0).setattr(f, Sattr.mode(06755)).status());
      assertEquals(06755, c.getattr(f).mode());
    }
  }

  @Test
  void chownRules() {
    try (NfsClient c = client()) {
      byte[] f = fileOwnedBy1000(c, "chown", 0644)[1];
      assertEquals(PERM, c.as(1000, 100).setattr(f, Sattr.owner(2000, null)).status(), "only root gives files away");
      assertEquals(PERM, c.as(2000, 100).setattr(f, Sattr.owner(null, 100)).status(), "non-owner cannot chgrp");
      assertEquals(PERM, c.as(1000, 100, 200).setattr(f, Sattr.owner(null, 300)).status(), "not a member of 300");
      assertEquals(OK, c.as(1000, 100, 200).setattr(f, Sattr.owner(null, 200)).status(), "owner to a group of theirs");
      assertEquals(200, c.getattr(f).gid());
      assertEquals(OK, c.as(1000, 100).setattr(f, Sattr.owner(1000, null)).status(), "chown to oneself is allowed");
      c.as(0, 0).setattr(f, Sattr.mode(06755));
      assertEquals(OK, c.as(0, 0).setattr(f, Sattr.owner(1001, null)).status());
      assertEquals(0755, c.getattr(f).mode(), "chown drops setuid, and setgid with group-exec, even for root");
      c.as(0, 0).setattr(f, Sattr.mode(02745));
      c.as(0, 0).setattr(f, Sattr.owner(null, 400));
      assertEquals(02745, c.getattr(f).mode(), "setgid without group-exec (mandatory locking) is kept");
    }
  }

  @Test
  void writesAndTruncationByNonRootDropSetuid() {
    try (NfsClient c = client()) {
      byte[] f = fileOwnedBy1000(c, "suidwrite", 0644)[1];
      c.as(0, 0).setattr(f, Sattr.mode(06775));
      assertEquals(OK, c.as(1000, 100).write(f, 0, new byte[] {1}, FILE_SYNC).status());
      assertEquals(0775, c.getattr(f).mode());
      c.as(0, 0).setattr(f, Sattr.mode(04755));
      assertEquals(OK, c.as(0, 0).write(f, 0, new byte[] {1}, FILE_SYNC).status());
      assertEquals(04755, c.getattr(f).mode(), "root's writes keep setuid");
      assertEquals(OK, c.as(1000, 100).setattr(f, Sattr.size(0)).status());
      assertEquals(0755, c.getattr(f).mode(), "truncation by the owner drops setuid");
    }
  }

  @Test
  void stickyDirectories() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c.as(0, 0), "sticky");
      byte[] tmp = c.fh(c.mkdir(d, "tmp", 01777));
      assertEquals(01777, c.getattr(tmp).mode());
      c.as(1000, 100).create(tmp, "alice", 0644);
      c.as(1000, 100).create(tmp, "alice2", 0644);
      c.as(2000, 200).create(tmp, "bob", 0644);
      assertEquals(ACCES, c.as(2000, 200).remove(tmp, "alice").status(), "sticky: not the entry's owner");
      assertEquals(ACCES, c.as(2000, 200).rename(tmp, "alice", tmp, "stolen").status());
      assertEquals(ACCES, c.as(1000, 100).rename(tmp, "alice", tmp, "bob").status(), "cannot replace someone else's entry");
      assertEquals(OK, c.as(1000, 100).remove(tmp, "alice").status(), "the owner may");
      assertEquals(OK, c.as(0, 0).remove(tmp, "bob").status(), "root may");
      c.as(0, 0).setattr(tmp, Sattr.owner(3000, null));
      assertEquals(OK, c.as(3000, 300).remove(tmp, "alice2").status(), "the directory's owner may");
    }
  }

  @Test
  void setgidDirectoriesPassTheirGroupOn() {
    try (NfsClient c = client()) {
      byte[] d = freshDir(c.as(0, 0), "sgid");
      byte[] shared = c.fh(c.mkdir(d, "shared", 0777));
      c.setattr(shared, Sattr.owner(null, 300));
      c.setattr(shared, Sattr.mode(02777));
      Created f = c.as(1000, 100).create(shared, "f", 0644);
      assertEquals(300, f.attr().gid(), "a file inherits the setgid directory's group");
      Created sub = c.as(1000, 100).mkdir(shared, "sub", 0755);
      assertEquals(300, sub.attr().gid());
      assertEquals(02755, sub.attr().mode(), "a subdirectory inherits setgid");
      Created plain = c.as(1000, 100).create(d, "plain", 0644);
      assertEquals(100, plain.attr().gid(), "elsewhere the creator's group");
      assertEquals(1000, plain.attr().uid());
    }
  }

  @Test
  void timesNeedOwnershipOrWriteAccess() {
    try (NfsClient c = client()) {
      byte[] f = fileOwnedBy1000(c, "utimes", 0646)[1];
      assertEquals(PERM, c.as(2000, 200).setattr(f, Sattr.times(5_000_000_000L, 5_000_000_000L)).status(),
          "explicit times: owner or root only");
      assertEquals(OK, c.as(2000, 200).setattr(f, Sattr.times(Sattr.SERVER, Sattr.SERVER)).status(),
          "touch to now: write access is enough");
      c.as(1000, 100).setattr(f, Sattr.mode(0644));
      assertEquals(ACCES, c.as(2000, 200).setattr(f, Sattr.times(Sattr.SERVER, Sattr.SERVER)).status());
      assertEquals(OK, c.as(1000, 100).setattr(f, Sattr.times(5_000_000_000L, 6_000_000_000L)).status());
      Attr a = c.getattr(f);
      assertEquals(5_000_000_000L, a.atime());
      assertEquals(6_000_000_000L, a.mtime());
    }
  }
}

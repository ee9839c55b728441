package io.strata.nfs.fs;

/**
 * POSIX permission rules, pure functions of the caller and the inodes. Root (uid 0, unless the
 * export squashes it) passes every check except execute on a file without any execute bit.
 */
public final class Permissions {
  public static final int READ = 4;
  public static final int WRITE = 2;
  public static final int EXEC = 1;

  // NFSv3 ACCESS bits (RFC 1813 section 3.3.4)
  public static final int ACCESS3_READ = 0x01;
  public static final int ACCESS3_LOOKUP = 0x02;
  public static final int ACCESS3_MODIFY = 0x04;
  public static final int ACCESS3_EXTEND = 0x08;
  public static final int ACCESS3_DELETE = 0x10;
  public static final int ACCESS3_EXECUTE = 0x20;

  private Permissions() {}

  /** The rwx bits that apply to the caller: owner's, else group's, else other's. */
  static int classBits(Caller c, Inode i) {
    if (c.uid() == i.uid) {
      return (i.mode >> 6) & 7;
    }
    if (c.inGroup(i.gid)) {
      return (i.mode >> 3) & 7;
    }
    return i.mode & 7;
  }

  public static boolean allowed(Caller c, Inode i, int want) {
    if (c.isRoot()) {
      return (want & EXEC) == 0 || i.isDir() || (i.mode & 0111) != 0;
    }
    return (classBits(c, i) & want) == want;
  }

  public static void check(Caller c, Inode i, int want, String what) {
    if (!allowed(c, i, want)) {
      throw new FsException(FsStatus.ACCES, what + ": " + c + " lacks " + rwx(want) + " on " + i);
    }
  }

  /**
   * File data access without open state (as knfsd): the owner may always read and write their
   * file's data, and execute permission allows reading; ACCESS still reports the strict mode.
   */
  public static void checkData(Caller c, Inode i, int want) {
    if (c.uid() == i.uid) {
      return;
    }
    if (want == READ && allowed(c, i, EXEC) && !i.isDir()) {
      return;
    }
    check(c, i, want, want == READ ? "read" : "write");
  }

  /** The subset of requested ACCESS3 bits the caller holds on the inode. */
  public static int access(Caller c, Inode i, int requested) {
    int granted = 0;
    if ((requested & ACCESS3_READ) != 0 && allowed(c, i, READ)) {
      granted |= ACCESS3_READ;
    }
    if (i.isDir()) {
      if ((requested & ACCESS3_LOOKUP) != 0 && allowed(c, i, EXEC)) {
        granted |= ACCESS3_LOOKUP;
      }
      if (allowed(c, i, WRITE | EXEC)) {
        granted |= requested & (ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE);
      }
    } else {
      if (allowed(c, i, WRITE)) {
        granted |= requested & (ACCESS3_MODIFY | ACCESS3_EXTEND);
      }
      if ((requested & ACCESS3_EXECUTE) != 0 && allowed(c, i, EXEC)) {
        granted |= ACCESS3_EXECUTE;
      }
    }
    return granted;
  }

  /** Changing a directory's entries needs write and search permission on it. */
  public static void checkDirChange(Caller c, Inode dir) {
    check(c, dir, WRITE | EXEC, "change directory");
  }

  /** In a sticky directory only root, the directory's owner or the entry's owner may unlink it. */
  public static void checkSticky(Caller c, Inode dir, Inode victim) {
    if ((dir.mode & Inode.S_ISVTX) != 0 && !c.isRoot() && c.uid() != dir.uid && c.uid() != victim.uid) {
      throw new FsException(FsStatus.ACCES, "sticky directory " + dir.id + ": " + c + " owns neither it nor " + victim.id);
    }
  }

  /** Mode after a write or truncate by the caller: non-root writers drop setuid, and setgid with group-exec. */
  public static int afterWrite(Caller c, Inode i) {
    if (c.isRoot() || i.type != FileType.REG) {
      return i.mode;
    }
    return killSuid(i.mode);
  }

  static int killSuid(int mode) {
    int m = mode & ~Inode.S_ISUID;
    if ((mode & Inode.S_IXGRP) != 0) {
      m &= ~Inode.S_ISGID;
    }
    return m;
  }

  private static String rwx(int want) {
    return ((want & READ) != 0 ? "r" : "") + ((want & WRITE) != 0 ? "w" : "") + ((want & EXEC) != 0 ? "x" : "");
  }
}

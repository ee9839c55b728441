package io.strata.nfs.fs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * READDIR and READDIRPLUS paging. Cookies are positions in the directory's cookie order: "."
 * is 1, ".." is 2, and every entry gets the directory's next cookie when it is created, so a
 * cookie stays valid while other entries come and go, and resuming is one range scan that
 * starts after it. The cookie verifier is fixed per directory (its generation): cookies are
 * never invalidated, only ones never handed out (beyond the directory's next cookie) are
 * BAD_COOKIE.
 */
public final class DirectoryLister {
  static final int SCAN_PAGE = 512;

  /** One listed entry; {@code attrs} only when asked for (READDIRPLUS) and still present. */
  public record Entry(long fileid, String name, long cookie, Inode attrs) {}

  /** Takes entries until the reply is full. */
  public interface Sink {
    /** False when the entry does not fit; listing stops before it. */
    boolean add(Entry e);
  }

  /** The directory's attributes, its cookie verifier, and whether the listing reached the end. */
  public record Listing(Inode dir, long verifier, boolean eof) {}

  private final FileSystem fs;

  DirectoryLister(FileSystem fs) {
    this.fs = fs;
  }

  public static long verifierOf(Inode dir) {
    return dir.generation & 0xffffffffL | 0x5374726100000000L;
  }

  public Listing list(Caller c, long dirIno, long cookie, long verifier, boolean withAttrs, Sink sink) {
    Inode dir = FileSystem.requireDir(fs.current(dirIno));
    Permissions.check(c, dir, Permissions.READ, "list directory");
    long verf = verifierOf(dir);
    if (cookie != 0 && verifier != 0 && verifier != verf) {
      throw new FsException(FsStatus.BAD_COOKIE, "cookie verifier " + Long.toHexString(verifier) + " is not this directory's");
    }
    if (cookie < 0 || cookie >= FileSystem.FIRST_COOKIE && cookie >= dir.nextCookie) {
      throw new FsException(FsStatus.BAD_COOKIE, "cookie " + cookie + " was never handed out by directory " + dirIno);
    }
    if (cookie < 1 && !sink.add(new Entry(dir.id, ".", 1, withAttrs ? dir : null))) {
      return new Listing(dir, verf, false);
    }
    if (cookie < 2) {
      Inode parent = dir.id == fs.rootIno ? dir : fs.current(dir.parent);
      Inode p = parent == null ? dir : parent;
      if (!sink.add(new Entry(p.id, "..", 2, withAttrs ? p : null))) {
        return new Listing(dir, verf, false);
      }
    }
    long after = Math.max(cookie, 2);
    while (true) {
      FsStore.Page<Dentry> page = fs.store.entries(dirIno, after, SCAN_PAGE);
      Map<Long, Inode> attrs = withAttrs ? attributes(page.items()) : Map.of();
      for (Dentry d : page.items()) {
        if (!sink.add(new Entry(d.ino(), d.name(), d.cookie(), attrs.get(d.ino())))) {
          return new Listing(dir, verf, false);
        }
        after = d.cookie();
      }
      if (!page.more()) {
        return new Listing(fs.current(dirIno), verf, true);
      }
    }
  }

  /** Current attributes of the listed inodes; a page's uncached ones are fetched in parallel. */
  private Map<Long, Inode> attributes(List<Dentry> entries) {
    Map<Long, Inode> out = new HashMap<>();
    List<Long> missing = new ArrayList<>();
    for (Dentry d : entries) {
      Inode i = fs.cache.inode(d.ino()) == null ? null : fs.current(d.ino());
      if (i != null) {
        out.put(d.ino(), i);
      } else {
        missing.add(d.ino());
      }
    }
    out.putAll(fs.store.inodes(missing));
    return out;
  }
}

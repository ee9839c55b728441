package io.strata.nfs.fs;

/**
 * One inode as stored in metadata. Immutable; changes go through {@link #toBuilder()}. Times are
 * nanoseconds since the epoch. {@code version} is the metadata log index that last wrote the
 * record (0 = not stored yet) and is what conditional updates compare against.
 */
public final class Inode {
  public static final int S_ISUID = 04000;
  public static final int S_ISGID = 02000;
  public static final int S_ISVTX = 01000;
  public static final int S_IXGRP = 00010;
  public static final int PERMISSION_BITS = 07777;

  public final long id;
  public final int generation;
  public final FileType type;
  public final int mode;
  public final int uid;
  public final int gid;
  public final int nlink;
  public final long size;
  public final long rdev;
  public final long atime;
  public final long mtime;
  public final long ctime;
  /** Directories: the parent directory (the root is its own parent). */
  public final long parent;
  /** Directories: the next READDIR cookie to hand out. */
  public final long nextCookie;
  /** Symbolic links: the target, raw bytes as ISO-8859-1. */
  public final String target;
  /** EXCLUSIVE CREATE verifier until the first SETATTR; 0 = none. */
  public final long createVerifier;
  public final long version;

  private Inode(Builder b) {
    this.id = b.id;
    this.generation = b.generation;
    this.type = b.type;
    this.mode = b.mode & PERMISSION_BITS;
    this.uid = b.uid;
    this.gid = b.gid;
    this.nlink = b.nlink;
    this.size = b.size;
    this.rdev = b.rdev;
    this.atime = b.atime;
    this.mtime = b.mtime;
    this.ctime = b.ctime;
    this.parent = b.parent;
    this.nextCookie = b.nextCookie;
    this.target = b.target;
    this.createVerifier = b.createVerifier;
    this.version = b.version;
  }

  public static Builder builder(long id, FileType type) {
    Builder b = new Builder();
    b.id = id;
    b.type = type;
    return b;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.generation = generation;
    b.type = type;
    b.mode = mode;
    b.uid = uid;
    b.gid = gid;
    b.nlink = nlink;
    b.size = size;
    b.rdev = rdev;
    b.atime = atime;
    b.mtime = mtime;
    b.ctime = ctime;
    b.parent = parent;
    b.nextCookie = nextCookie;
    b.target = target;
    b.createVerifier = createVerifier;
    b.version = version;
    return b;
  }

  public boolean isDir() {
    return type == FileType.DIR;
  }

  /** Same record apart from the version. */
  public boolean sameContent(Inode o) {
    return o != null && id == o.id && generation == o.generation && type == o.type && mode == o.mode
        && uid == o.uid && gid == o.gid && nlink == o.nlink && size == o.size && rdev == o.rdev
        && atime == o.atime && mtime == o.mtime && ctime == o.ctime && parent == o.parent
        && nextCookie == o.nextCookie && target.equals(o.target) && createVerifier == o.createVerifier;
  }

  @Override
  public String toString() {
    return type + "#" + id + "/" + generation + " mode=" + Integer.toOctalString(mode) + " uid=" + uid
        + " gid=" + gid + " nlink=" + nlink + " size=" + size + " v" + version;
  }

  /** Mutable copy of an inode's fields. */
  public static final class Builder {
    private long id;
    private int generation;
    private FileType type;
    private int mode;
    private int uid;
    private int gid;
    private int nlink = 1;
    private long size;
    private long rdev;
    private long atime;
    private long mtime;
    private long ctime;
    private long parent;
    private long nextCookie;
    private String target = "";
    private long createVerifier;
    private long version;

    public Builder generation(int g) { this.generation = g; return this; }
    public Builder mode(int m) { this.mode = m; return this; }
    public Builder uid(int u) { this.uid = u; return this; }
    public Builder gid(int g) { this.gid = g; return this; }
    public Builder nlink(int n) { this.nlink = n; return this; }
    public Builder size(long s) { this.size = s; return this; }
    public Builder rdev(long r) { this.rdev = r; return this; }
    public Builder atime(long t) { this.atime = t; return this; }
    public Builder mtime(long t) { this.mtime = t; return this; }
    public Builder ctime(long t) { this.ctime = t; return this; }
    public Builder times(long t) { this.atime = t; this.mtime = t; this.ctime = t; return this; }
    public Builder parent(long p) { this.parent = p; return this; }
    public Builder nextCookie(long c) { this.nextCookie = c; return this; }
    public Builder target(String t) { this.target = t; return this; }
    public Builder createVerifier(long v) { this.createVerifier = v; return this; }
    public Builder version(long v) { this.version = v; return this; }
    public int mode() { return mode; }
    public int nlink() { return nlink; }

    public Inode build() {
      return new Inode(this);
    }
  }
}

package io.strata.nfs.client;

/** sattr3 to send: null fields are not set; times: {@link #SERVER} = set to server time. */
public record Sattr(Integer mode, Integer uid, Integer gid, Long size, Long atime, Long mtime) {
  public static final long SERVER = Long.MIN_VALUE;
  public static final Sattr NONE = new Sattr(null, null, null, null, null, null);

  public static Sattr mode(int m) {
    return new Sattr(m, null, null, null, null, null);
  }

  public static Sattr size(long s) {
    return new Sattr(null, null, null, s, null, null);
  }

  public static Sattr owner(Integer uid, Integer gid) {
    return new Sattr(null, uid, gid, null, null, null);
  }

  public static Sattr times(Long atime, Long mtime) {
    return new Sattr(null, null, null, null, atime, mtime);
  }

  void write(XdrOut o) {
    o.bool(mode != null);
    if (mode != null) {
      o.u32(mode);
    }
    o.bool(uid != null);
    if (uid != null) {
      o.u32(uid);
    }
    o.bool(gid != null);
    if (gid != null) {
      o.u32(gid);
    }
    o.bool(size != null);
    if (size != null) {
      o.u64(size);
    }
    time(o, atime);
    time(o, mtime);
  }

  private static void time(XdrOut o, Long t) {
    if (t == null) {
      o.u32(0);
    } else if (t == SERVER) {
      o.u32(1);
    } else {
      o.u32(2).u32(t / 1_000_000_000L).u32(t % 1_000_000_000L);
    }
  }
}

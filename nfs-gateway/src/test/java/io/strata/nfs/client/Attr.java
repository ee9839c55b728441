package io.strata.nfs.client;

/** fattr3 as the client decoded it; times in nanoseconds. */
public record Attr(int type, int mode, long nlink, int uid, int gid, long size, long used, long rdev, long fsid,
                   long fileid, long atime, long mtime, long ctime) {
  public static final int REG = 1;
  public static final int DIR = 2;
  public static final int BLK = 3;
  public static final int CHR = 4;
  public static final int LNK = 5;
  public static final int SOCK = 6;
  public static final int FIFO = 7;

  static Attr read(XdrIn in) {
    int type = in.i32();
    int mode = (int) in.u32();
    long nlink = in.u32();
    int uid = in.i32();
    int gid = in.i32();
    long size = in.u64();
    long used = in.u64();
    long rdev = in.u32() << 32 | in.u32();
    long fsid = in.u64();
    long fileid = in.u64();
    return new Attr(type, mode, nlink, uid, gid, size, used, rdev, fsid, fileid, time(in), time(in), time(in));
  }

  static long time(XdrIn in) {
    return in.u32() * 1_000_000_000L + in.u32();
  }

  /** post_op_attr: attributes or null. */
  static Attr postOp(XdrIn in) {
    return in.bool() ? read(in) : null;
  }

  /** wcc_data's pre-op part (size, mtime, ctime) as a partial Attr, or null. */
  static Attr preOp(XdrIn in) {
    if (!in.bool()) {
      return null;
    }
    long size = in.u64();
    long mtime = time(in);
    long ctime = time(in);
    return new Attr(0, 0, 0, 0, 0, size, 0, 0, 0, 0, 0, mtime, ctime);
  }
}

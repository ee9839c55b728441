package io.strata.nfs.client;

import java.util.ArrayList;
import java.util.List;

/**
 * A test NFSv3 + MOUNT v3 client over raw XDR: one method per procedure, results decoded into
 * records that keep the status and every field the server sent.
 */
public final class NfsClient extends RpcClient {
  public static final int NFS = 100003;
  public static final int MOUNT = 100005;
  public static final int OK = 0;
  public static final int PERM = 1;
  public static final int NOENT = 2;
  public static final int IO = 5;
  public static final int ACCES = 13;
  public static final int EXIST = 17;
  public static final int XDEV = 18;
  public static final int NOTDIR = 20;
  public static final int ISDIR = 21;
  public static final int INVAL = 22;
  public static final int FBIG = 27;
  public static final int NOSPC = 28;
  public static final int ROFS = 30;
  public static final int MLINK = 31;
  public static final int NAMETOOLONG = 63;
  public static final int NOTEMPTY = 66;
  public static final int DQUOT = 69;
  public static final int STALE = 70;
  public static final int BADHANDLE = 10001;
  public static final int NOT_SYNC = 10002;
  public static final int BAD_COOKIE = 10003;
  public static final int NOTSUPP = 10004;
  public static final int TOOSMALL = 10005;
  public static final int BADTYPE = 10007;
  public static final int UNSTABLE = 0;
  public static final int DATA_SYNC = 1;
  public static final int FILE_SYNC = 2;

  public NfsClient(int port) {
    this(port, null);
  }

  public NfsClient(int port, String localAddress) {
    super(port, localAddress);
    as(0, 0);
  }

  @Override
  public NfsClient as(int uid, int gid, int... gids) {
    super.as(uid, gid, gids);
    return this;
  }

  public record Wcc(Attr before, Attr after) {}

  public record Mnt(int status, byte[] fh, List<Integer> flavors) {}

  public record Lookup(int status, byte[] fh, Attr attr, Attr dir) {}

  public record Created(int status, byte[] fh, Attr attr, Wcc dir) {}

  public record Write(int status, Wcc wcc, long count, int committed, byte[] verf) {}

  public record Read(int status, Attr attr, long count, boolean eof, byte[] data) {}

  public record Commit(int status, Wcc wcc, byte[] verf) {}

  public record Access(int status, Attr attr, int granted) {}

  public record Readlink(int status, Attr attr, String target) {}

  public record Rename(int status, Wcc from, Wcc to) {}

  public record Link(int status, Attr file, Wcc dir) {}

  public record Entry(long fileid, String name, long cookie, Attr attr, byte[] fh) {}

  public record Readdir(int status, Attr dir, long verf, List<Entry> entries, boolean eof) {}

  public record Fsstat(int status, long tbytes, long fbytes, long abytes, long tfiles, long ffiles, long afiles) {}

  public record Fsinfo(int status, long rtmax, long rtpref, long wtmax, long wtpref, long dtpref, long maxfilesize,
                       int properties) {}

  public record Pathconf(int status, long linkmax, long nameMax, boolean noTrunc, boolean chownRestricted) {}

  public record Status(int status, Wcc wcc) {}

  // ---------------------------------------------------------------- MOUNT

  public Mnt mnt(String path) {
    Reply r = call(MOUNT, 3, 1, new XdrOut().string(path).bytes());
    XdrIn in = r.body();
    int st = in.i32();
    if (st != 0) {
      return new Mnt(st, null, List.of());
    }
    byte[] fh = in.opaque();
    List<Integer> fl = new ArrayList<>();
    long n = in.u32();
    for (int i = 0; i < n; i++) {
      fl.add(in.i32());
    }
    return new Mnt(st, fh, fl);
  }

  public byte[] mount(String path) {
    Mnt m = mnt(path);
    if (m.status() != 0) {
      throw new IllegalStateException("MNT " + path + " failed: " + m.status());
    }
    return m.fh();
  }

  // ---------------------------------------------------------------- NFS

  private XdrIn nfs(int proc, XdrOut args) {
    Reply r = call(NFS, 3, proc, args.bytes());
    if (!r.accepted() || r.acceptStat() != 0) {
      throw new IllegalStateException("NFS proc " + proc + " not accepted: " + r);
    }
    return r.body();
  }

  private static XdrOut dirop(byte[] dir, String name) {
    return new XdrOut().opaque(dir).string(name);
  }

  private static Wcc wcc(XdrIn in) {
    return new Wcc(Attr.preOp(in), Attr.postOp(in));
  }

  public Attr getattr(byte[] fh) {
    XdrIn in = nfs(1, new XdrOut().opaque(fh));
    int st = in.i32();
    return st == 0 ? Attr.read(in) : null;
  }

  public int getattrStatus(byte[] fh) {
    return nfs(1, new XdrOut().opaque(fh)).i32();
  }

  public Status setattr(byte[] fh, Sattr s, Long guardCtime) {
    XdrOut o = new XdrOut().opaque(fh);
    s.write(o);
    o.bool(guardCtime != null);
    if (guardCtime != null) {
      o.u32(guardCtime / 1_000_000_000L).u32(guardCtime % 1_000_000_000L);
    }
    XdrIn in = nfs(2, o);
    return new Status(in.i32(), wcc(in));
  }

  public Status setattr(byte[] fh, Sattr s) {
    return setattr(fh, s, null);
  }

  public Lookup lookup(byte[] dir, String name) {
    XdrIn in = nfs(3, dirop(dir, name));
    int st = in.i32();
    if (st != 0) {
      return new Lookup(st, null, null, Attr.postOp(in));
    }
    return new Lookup(st, in.opaque(), Attr.postOp(in), Attr.postOp(in));
  }

  public Access access(byte[] fh, int bits) {
    XdrIn in = nfs(4, new XdrOut().opaque(fh).u32(bits));
    int st = in.i32();
    Attr a = Attr.postOp(in);
    return new Access(st, a, st == 0 ? in.i32() : 0);
  }

  public Readlink readlink(byte[] fh) {
    XdrIn in = nfs(5, new XdrOut().opaque(fh));
    int st = in.i32();
    Attr a = Attr.postOp(in);
    return new Readlink(st, a, st == 0 ? in.string() : null);
  }

  public Read read(byte[] fh, long offset, int count) {
    XdrIn in = nfs(6, new XdrOut().opaque(fh).u64(offset).u32(count));
    int st = in.i32();
    Attr a = Attr.postOp(in);
    if (st != 0) {
      return new Read(st, a, 0, false, null);
    }
    long n = in.u32();
    boolean eof = in.bool();
    return new Read(st, a, n, eof, in.opaque());
  }

  public Write write(byte[] fh, long offset, byte[] data, int stable) {
    XdrIn in = nfs(7, new XdrOut().opaque(fh).u64(offset).u32(data.length).u32(stable).opaque(data));
    int st = in.i32();
    Wcc w = wcc(in);
    if (st != 0) {
      return new Write(st, w, 0, 0, null);
    }
    return new Write(st, w, in.u32(), in.i32(), in.fixed(8));
  }

  private Created created(XdrIn in) {
    int st = in.i32();
    if (st != 0) {
      return new Created(st, null, null, wcc(in));
    }
    byte[] fh = in.bool() ? in.opaque() : null;
    return new Created(st, fh, Attr.postOp(in), wcc(in));
  }

  /** CREATE with mode 0 = UNCHECKED, 1 = GUARDED (sattr), 2 = EXCLUSIVE (verifier). */
  public Created create(byte[] dir, String name, int how, Sattr s, long verifier) {
    XdrOut o = dirop(dir, name).u32(how);
    if (how == 2) {
      o.u64(verifier);
    } else {
      s.write(o);
    }
    return created(nfs(8, o));
  }

  public Created create(byte[] dir, String name, int mode) {
    return create(dir, name, 1, Sattr.mode(mode), 0);
  }

  public Created mkdir(byte[] dir, String name, int mode) {
    XdrOut o = dirop(dir, name);
    Sattr.mode(mode).write(o);
    return created(nfs(9, o));
  }

  public Created symlink(byte[] dir, String name, String target) {
    XdrOut o = dirop(dir, name);
    Sattr.NONE.write(o);
    o.string(target);
    return created(nfs(10, o));
  }

  public Created mknod(byte[] dir, String name, int type, int mode, long major, long minor) {
    XdrOut o = dirop(dir, name).u32(type);
    if (type == Attr.CHR || type == Attr.BLK) {
      Sattr.mode(mode).write(o);
      o.u32(major).u32(minor);
    } else if (type == Attr.SOCK || type == Attr.FIFO) {
      Sattr.mode(mode).write(o);
    }
    return created(nfs(11, o));
  }

  public Status remove(byte[] dir, String name) {
    XdrIn in = nfs(12, dirop(dir, name));
    return new Status(in.i32(), wcc(in));
  }

  public Status rmdir(byte[] dir, String name) {
    XdrIn in = nfs(13, dirop(dir, name));
    return new Status(in.i32(), wcc(in));
  }

  public Rename rename(byte[] fromDir, String from, byte[] toDir, String to) {
    XdrOut o = dirop(fromDir, from).opaque(toDir).string(to);
    XdrIn in = nfs(14, o);
    return new Rename(in.i32(), wcc(in), wcc(in));
  }

  public Link link(byte[] file, byte[] dir, String name) {
    XdrIn in = nfs(15, new XdrOut().opaque(file).opaque(dir).string(name));
    return new Link(in.i32(), Attr.postOp(in), wcc(in));
  }

  public Readdir readdir(byte[] dir, long cookie, long verf, int count) {
    XdrIn in = nfs(16, new XdrOut().opaque(dir).u64(cookie).u64(verf).u32(count));
    return readdirReply(in, false);
  }

  public Readdir readdirplus(byte[] dir, long cookie, long verf, int dircount, int maxcount) {
    XdrIn in = nfs(17, new XdrOut().opaque(dir).u64(cookie).u64(verf).u32(dircount).u32(maxcount));
    return readdirReply(in, true);
  }

  private static Readdir readdirReply(XdrIn in, boolean plus) {
    int st = in.i32();
    Attr dir = Attr.postOp(in);
    if (st != 0) {
      return new Readdir(st, dir, 0, List.of(), false);
    }
    long verf = in.u64();
    List<Entry> entries = new ArrayList<>();
    while (in.bool()) {
      long fileid = in.u64();
      String name = in.string();
      long cookie = in.u64();
      Attr a = null;
      byte[] fh = null;
      if (plus) {
        a = Attr.postOp(in);
        fh = in.bool() ? in.opaque() : null;
      }
      entries.add(new Entry(fileid, name, cookie, a, fh));
    }
    return new Readdir(st, dir, verf, entries, in.bool());
  }

  /** Every entry of a directory, paging with READDIRPLUS (or READDIR) and the given count. */
  public List<Entry> listAll(byte[] dir, boolean plus, int count) {
    List<Entry> all = new ArrayList<>();
    long cookie = 0;
    long verf = 0;
    for (int pages = 0; pages < 1_000_000; pages++) {
      Readdir r = plus ? readdirplus(dir, cookie, verf, count, count * 4) : readdir(dir, cookie, verf, count);
      if (r.status() != 0) {
        throw new IllegalStateException("READDIR failed: " + r.status());
      }
      all.addAll(r.entries());
      if (r.eof()) {
        return all;
      }
      cookie = r.entries().get(r.entries().size() - 1).cookie();
      verf = r.verf();
    }
    throw new IllegalStateException("READDIR did not end");
  }

  public Fsstat fsstat(byte[] fh) {
    XdrIn in = nfs(18, new XdrOut().opaque(fh));
    int st = in.i32();
    Attr.postOp(in);
    if (st != 0) {
      return new Fsstat(st, 0, 0, 0, 0, 0, 0);
    }
    return new Fsstat(st, in.u64(), in.u64(), in.u64(), in.u64(), in.u64(), in.u64());
  }

  public Fsinfo fsinfo(byte[] fh) {
    XdrIn in = nfs(19, new XdrOut().opaque(fh));
    int st = in.i32();
    Attr.postOp(in);
    if (st != 0) {
      return new Fsinfo(st, 0, 0, 0, 0, 0, 0, 0);
    }
    long rtmax = in.u32();
    long rtpref = in.u32();
    in.u32();
    long wtmax = in.u32();
    long wtpref = in.u32();
    in.u32();
    long dtpref = in.u32();
    long maxfile = in.u64();
    in.u32();
    in.u32();
    return new Fsinfo(st, rtmax, rtpref, wtmax, wtpref, dtpref, maxfile, in.i32());
  }

  public Pathconf pathconf(byte[] fh) {
    XdrIn in = nfs(20, new XdrOut().opaque(fh));
    int st = in.i32();
    Attr.postOp(in);
    if (st != 0) {
      return new Pathconf(st, 0, 0, false, false);
    }
    return new Pathconf(st, in.u32(), in.u32(), in.bool(), in.bool());
  }

  public Commit commit(byte[] fh) {
    XdrIn in = nfs(21, new XdrOut().opaque(fh).u64(0).u32(0));
    int st = in.i32();
    Wcc w = wcc(in);
    return new Commit(st, w, st == 0 ? in.fixed(8) : null);
  }

  // ---------------------------------------------------------------- conveniences

  public byte[] fh(Created c) {
    if (c.status() != 0) {
      throw new IllegalStateException("create failed: " + c.status());
    }
    return c.fh();
  }

  public byte[] path(byte[] root, String path) {
    byte[] at = root;
    for (String p : path.split("/")) {
      if (!p.isEmpty()) {
        Lookup l = lookup(at, p);
        if (l.status() != 0) {
          throw new IllegalStateException("lookup " + p + " failed: " + l.status());
        }
        at = l.fh();
      }
    }
    return at;
  }
}

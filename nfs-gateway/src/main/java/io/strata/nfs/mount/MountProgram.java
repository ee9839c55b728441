package io.strata.nfs.mount;

import io.strata.nfs.fs.Caller;
import io.strata.nfs.fs.FileSystem;
import io.strata.nfs.fs.FsException;
import io.strata.nfs.fs.FsStatus;
import io.strata.nfs.fs.Inode;
import io.strata.nfs.nfs3.FileHandle;
import io.strata.nfs.rpc.CallContext;
import io.strata.nfs.rpc.Credentials;
import io.strata.nfs.rpc.NullProcedure;
import io.strata.nfs.rpc.RpcProcedure;
import io.strata.nfs.rpc.RpcProgram;
import io.strata.nfs.rpc.XdrReader;
import io.strata.nfs.rpc.XdrWriter;
import io.strata.nfs.share.ClientRule;
import io.strata.nfs.share.Exports;
import io.strata.nfs.share.Share;
import java.util.Optional;

/**
 * MOUNT v3 (RFC 1813 appendix I): MNT, DUMP, UMNT, UMNTALL, EXPORT. A mount path is
 * {@code /SHARE} or a directory inside it ({@code /SHARE/a/b}, looked up as the caller); the
 * client must match the share's rules. Versions 1 and 2 are answered too except MNT, whose
 * handle format differs.
 */
public final class MountProgram implements RpcProgram {
  public static final int PROGRAM = 100005;
  static final int MAX_PATH_BYTES = 1024;
  static final int MNT3_OK = 0;
  static final int MNT3ERR_NOENT = 2;
  static final int MNT3ERR_IO = 5;
  static final int MNT3ERR_ACCES = 13;
  static final int MNT3ERR_NOTDIR = 20;
  static final int MNT3ERR_NAMETOOLONG = 63;
  static final int MNT3ERR_SERVERFAULT = 10006;

  private final Exports exports;
  private final MountTable mounts = new MountTable();

  public MountProgram(Exports exports) {
    this.exports = exports;
  }

  @Override
  public int program() {
    return PROGRAM;
  }

  @Override
  public int lowVersion() {
    return 1;
  }

  @Override
  public int highVersion() {
    return 3;
  }

  @Override
  public RpcProcedure<?> procedure(int version, int procedure) {
    return switch (procedure) {
      case 0 -> NullProcedure.INSTANCE;
      case 1 -> version == 3 ? mnt : null;
      case 2 -> dump;
      case 3 -> umnt;
      case 4 -> umntAll;
      case 5 -> export;
      default -> null;
    };
  }

  private static String host(CallContext ctx) {
    return ctx.client().getHostAddress();
  }

  /** The handle for a mount path, or a MOUNT status. */
  record Mounted(int status, FileHandle handle) {}

  Mounted mount(String path, CallContext ctx) {
    if (path.length() > MAX_PATH_BYTES) {
      return new Mounted(MNT3ERR_NAMETOOLONG, null);
    }
    String[] parts = path.replaceAll("/+", "/").replaceAll("^/|/$", "").split("/");
    Optional<Share> share = parts[0].isEmpty() ? Optional.empty() : exports.byName(parts[0]);
    if (share.isEmpty()) {
      return new Mounted(MNT3ERR_NOENT, null);
    }
    Share s = share.get();
    if (!s.allows(ctx.client())) {
      return new Mounted(MNT3ERR_ACCES, null);
    }
    try {
      FileSystem fs = exports.fileSystem(s);
      Credentials cred = s.rootSquash() ? ctx.credentials().squashRoot() : ctx.credentials();
      Caller caller = new Caller(cred.uid(), cred.gid(), cred.gids());
      Inode at = fs.root();
      for (int i = 1; i < parts.length; i++) {
        at = fs.lookup(caller, at.id, parts[i]);
      }
      if (!at.isDir()) {
        return new Mounted(MNT3ERR_NOTDIR, null);
      }
      return new Mounted(MNT3_OK, new FileHandle(s.fsid(), at.id, at.generation));
    } catch (FsException e) {
      return new Mounted(switch (e.status()) {
        case NOENT -> MNT3ERR_NOENT;
        case NOTDIR -> MNT3ERR_NOTDIR;
        case ACCES, PERM -> MNT3ERR_ACCES;
        case NAMETOOLONG -> MNT3ERR_NAMETOOLONG;
        default -> MNT3ERR_IO;
      }, null);
    } catch (RuntimeException e) {
      return new Mounted(FsStatus.of(e) == FsStatus.SERVERFAULT ? MNT3ERR_SERVERFAULT : MNT3ERR_IO, null);
    }
  }

  private final RpcProcedure<String> mnt = new PathProcedure() {
    @Override
    public void execute(String path, CallContext ctx, XdrWriter out) {
      Mounted m = mount(path, ctx);
      out.writeInt(m.status());
      if (m.status() == MNT3_OK) {
        mounts.add(host(ctx), path);
        out.writeOpaque(m.handle().encode());
        out.writeInt(1).writeInt(Credentials.AUTH_SYS);
      }
    }
  };

  private final RpcProcedure<String> umnt = new PathProcedure() {
    @Override
    public void execute(String path, CallContext ctx, XdrWriter out) {
      mounts.remove(host(ctx), path);
    }
  };

  private final RpcProcedure<Object> umntAll = new NoArgs() {
    @Override
    public void execute(Object args, CallContext ctx, XdrWriter out) {
      mounts.removeAll(host(ctx));
    }
  };

  private final RpcProcedure<Object> dump = new NoArgs() {
    @Override
    public void execute(Object args, CallContext ctx, XdrWriter out) {
      for (MountTable.Mount m : mounts.all()) {
        out.writeBool(true).writeString(m.host()).writeString(m.path());
      }
      out.writeBool(false);
    }
  };

  private final RpcProcedure<Object> export = new NoArgs() {
    @Override
    public void execute(Object args, CallContext ctx, XdrWriter out) {
      for (Share s : exports.list()) {
        out.writeBool(true).writeString(s.exportPath());
        for (ClientRule r : s.clients()) {
          out.writeBool(true).writeString(r.text());
        }
        out.writeBool(false);
      }
      out.writeBool(false);
    }
  };

  private abstract static class PathProcedure implements RpcProcedure<String> {
    @Override
    public String decode(XdrReader in) {
      return in.readString(MAX_PATH_BYTES * 4);
    }
  }

  private abstract static class NoArgs implements RpcProcedure<Object> {
    @Override
    public Object decode(XdrReader in) {
      return this;
    }
  }
}

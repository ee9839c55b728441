package io.strata.nfs.nfs3;

import io.strata.nfs.fs.Caller;
import io.strata.nfs.fs.FileSystem;
import io.strata.nfs.fs.FsException;
import io.strata.nfs.fs.FsStatus;
import io.strata.nfs.fs.Inode;
import io.strata.nfs.rpc.CallContext;
import io.strata.nfs.rpc.Credentials;
import io.strata.nfs.share.Exports;
import io.strata.nfs.share.Share;

/**
 * One NFS call's view of who is asking and what a handle names. Every handle is checked against
 * its share's export rules on every call (the client address must match; writes need a
 * read-write share), and the caller's identity is squashed as the share says.
 */
final class NfsCall {
  /** A handle resolved: its share, file system, current attributes and the caller as checked. */
  record Target(Share share, FileSystem fs, Inode inode, Caller caller) {
    long fsid() {
      return share.fsid();
    }

    long ino() {
      return inode.id;
    }
  }

  private final Exports exports;
  private final CallContext ctx;

  NfsCall(Exports exports, CallContext ctx) {
    this.exports = exports;
    this.ctx = ctx;
  }

  Target target(byte[] handle) {
    FileHandle fh = FileHandle.decode(handle);
    Share share = exports.byFsid(fh.fsid())
        .orElseThrow(() -> new FsException(FsStatus.STALE, "no share with file system " + fh.fsid()));
    if (!share.allows(ctx.client())) {
      throw new FsException(FsStatus.ACCES, "client " + ctx.client().getHostAddress() + " may not use share " + share.name());
    }
    FileSystem fs = exports.fileSystem(share);
    Inode i = fs.resolve(fh.ino(), fh.generation());
    return new Target(share, fs, i, caller(share, ctx.credentials()));
  }

  /** A target the call will change: the share must be read-write. */
  Target writable(byte[] handle) {
    Target t = target(handle);
    if (t.share().readOnly()) {
      throw new FsException(FsStatus.ROFS, "share " + t.share().name() + " is read-only");
    }
    return t;
  }

  /** Current attributes for a failure reply's post-op data, or null if the handle does not resolve. */
  Inode attrsOrNull(byte[] handle) {
    try {
      return target(handle).inode();
    } catch (RuntimeException e) {
      return null;
    }
  }

  long fsidOrZero(byte[] handle) {
    try {
      return FileHandle.decode(handle).fsid();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  static Caller caller(Share share, Credentials c) {
    Credentials eff = share.rootSquash() ? c.squashRoot() : c;
    return new Caller(eff.uid(), eff.gid(), eff.gids());
  }
}

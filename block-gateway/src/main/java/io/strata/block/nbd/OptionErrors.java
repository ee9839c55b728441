package io.strata.block.nbd;

import io.strata.block.volume.VolumeException;
import java.util.concurrent.CompletionException;

/** The one table from our failures to NBD error codes, for options and for commands. */
final class OptionErrors {
  private OptionErrors() {}

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** An NBD_REP_ERR_* for a failed option. */
  static int of(Throwable t) {
    if (unwrap(t) instanceof VolumeException v) {
      return switch (v.error()) {
        case NOT_FOUND, INVALID_ARGUMENT -> Nbd.REP_ERR_UNKNOWN;
        case ATTACHED, FENCED, READ_ONLY, CONFLICT -> Nbd.REP_ERR_POLICY;
        case ALREADY_EXISTS, UNAVAILABLE -> Nbd.REP_ERR_SHUTDOWN;
      };
    }
    return Nbd.REP_ERR_SHUTDOWN;
  }

  /** An errno for a failed command. */
  static int errno(Throwable t) {
    Throwable u = unwrap(t);
    if (u instanceof io.strata.block.data.FencedException) {
      return Nbd.EPERM;
    }
    if (u instanceof IllegalArgumentException) {
      return Nbd.EINVAL;
    }
    if (u instanceof VolumeException v) {
      return switch (v.error()) {
        case FENCED, READ_ONLY, ATTACHED -> Nbd.EPERM;
        case INVALID_ARGUMENT, NOT_FOUND -> Nbd.EINVAL;
        default -> Nbd.EIO;
      };
    }
    if (u instanceof io.strata.client.ChunkException c) {
      return switch (c.status()) {
        case CHUNK_DISK_FULL -> Nbd.ENOSPC;
        case CHUNK_FENCED -> Nbd.EPERM;  // a takeover fenced this attachment: its writes are refused
        default -> Nbd.EIO;
      };
    }
    return Nbd.EIO;
  }

  static String message(Throwable t) {
    Throwable u = unwrap(t);
    return u.getMessage() == null ? u.toString() : u.getMessage();
  }
}

package io.strata.nfs.fs;

import io.strata.client.ChunkException;
import io.strata.metadata.client.MetaException;
import io.strata.proto.ChunkStatus;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one error table of the file system: each failure is an nfsstat3 (RFC 1813 section 2.6),
 * and {@link #of(Throwable)} maps every storage-layer exception onto it in one place.
 */
public enum FsStatus {
  OK(0), PERM(1), NOENT(2), IO(5), NXIO(6), ACCES(13), EXIST(17), XDEV(18), NODEV(19), NOTDIR(20),
  ISDIR(21), INVAL(22), FBIG(27), NOSPC(28), ROFS(30), MLINK(31), NAMETOOLONG(63), NOTEMPTY(66),
  DQUOT(69), STALE(70), REMOTE(71), BADHANDLE(10001), NOT_SYNC(10002), BAD_COOKIE(10003),
  NOTSUPP(10004), TOOSMALL(10005), SERVERFAULT(10006), BADTYPE(10007), JUKEBOX(10008);

  public final int code;

  FsStatus(int code) {
    this.code = code;
  }

  /**
   * Storage failures: a full disk is NOSPC; metadata or datanodes that are unreachable or timed
   * out are JUKEBOX (the client retries later); anything else is IO.
   */
  public static FsStatus of(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof FsException fe) {
      return fe.status();
    }
    if (t instanceof ChunkException ce) {
      return ce.status() == ChunkStatus.CHUNK_DISK_FULL ? NOSPC
          : ce.status() == ChunkStatus.CHUNK_UNAVAILABLE ? JUKEBOX : IO;
    }
    if (t instanceof MetaException || t instanceof TimeoutException) {
      return JUKEBOX;
    }
    return SERVERFAULT;
  }
}

package io.strata.nfs.fs;

/** A file-system operation refused or failed with an nfsstat3. */
public final class FsException extends RuntimeException {
  private final FsStatus status;

  public FsException(FsStatus status, String message) {
    super(status + ": " + message, null, false, false);
    this.status = status;
  }

  public FsStatus status() {
    return status;
  }
}

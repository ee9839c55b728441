package io.strata.datanode.disk;

import io.strata.proto.ChunkStatus;

/** A failed disk operation, carrying the chunk status it maps to on the wire. */
public final class DiskException extends RuntimeException {
  private final ChunkStatus status;

  public DiskException(ChunkStatus status, String message) {
    super(message);
    this.status = status;
  }

  public DiskException(ChunkStatus status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public ChunkStatus status() {
    return status;
  }
}

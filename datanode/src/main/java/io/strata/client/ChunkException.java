package io.strata.client;

import io.strata.proto.ChunkStatus;

/** A chunk operation that failed for good (after retries), with the last status seen. */
public final class ChunkException extends RuntimeException {
  private final ChunkStatus status;

  public ChunkException(ChunkStatus status, String message) {
    super(status + ": " + message);
    this.status = status;
  }

  public ChunkStatus status() {
    return status;
  }

  static boolean retryable(ChunkStatus s) {
    return switch (s) {
      case CHUNK_STALE_EPOCH, CHUNK_NOT_PRIMARY, CHUNK_UNAVAILABLE, CHUNK_IO_ERROR, CHUNK_CHECKSUM_MISMATCH -> true;
      default -> false;
    };
  }
}

package io.strata.metadata.client;

import io.strata.proto.MetaStatus;

/** A metadata call that did not succeed: a named status plus what it was about. */
public final class MetaException extends RuntimeException {
  private final MetaStatus status;

  public MetaException(MetaStatus status, String message) {
    super(status + ": " + message);
    this.status = status;
  }

  public MetaException(String message, Throwable cause) {
    super(MetaStatus.META_UNAVAILABLE + ": " + message, cause);
    this.status = MetaStatus.META_UNAVAILABLE;
  }

  public MetaStatus status() {
    return status;
  }
}

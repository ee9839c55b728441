package io.strata.metadata.client;

import io.strata.proto.KvConflict;
import io.strata.proto.MetaStatus;
import java.util.Optional;

/** A metadata call that did not succeed: a named status plus what it was about. */
public final class MetaException extends RuntimeException {
  private final MetaStatus status;
  private final KvConflict conflict;

  public MetaException(MetaStatus status, String message) {
    this(status, message, null);
  }

  /** A refused transaction, with what its first failed condition found (null if not known). */
  public MetaException(MetaStatus status, String message, KvConflict conflict) {
    super(status + ": " + message);
    this.status = status;
    this.conflict = conflict;
  }

  public MetaException(String message, Throwable cause) {
    super(MetaStatus.META_UNAVAILABLE + ": " + message, cause);
    this.status = MetaStatus.META_UNAVAILABLE;
    this.conflict = null;
  }

  /** For META_CONDITION_FAILED from a KvTxn: which condition failed and what its key holds now. */
  public Optional<KvConflict> conflict() {
    return Optional.ofNullable(conflict);
  }

  public MetaStatus status() {
    return status;
  }
}

package io.strata.metadata.state;

import io.strata.proto.MetaResult;
import io.strata.proto.MetaStatus;

/** Builders for the named result codes of metadata commands. */
final class Results {
  private Results() {}

  static MetaResult.Builder ok() {
    return MetaResult.newBuilder().setStatus(MetaStatus.META_OK);
  }

  static MetaResult error(MetaStatus status, String message) {
    return MetaResult.newBuilder().setStatus(status).setMessage(message).build();
  }
}

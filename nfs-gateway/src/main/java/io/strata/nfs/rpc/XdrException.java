package io.strata.nfs.rpc;

/** Malformed XDR: truncated input, a length over its bound, a bad discriminant. Maps to GARBAGE_ARGS. */
public final class XdrException extends RuntimeException {
  public XdrException(String message) {
    super(message, null, false, false);
  }
}

package io.strata.block.data;

/** A mutation refused because this gateway no longer holds the volume (NBD: EPERM). */
public final class FencedException extends RuntimeException {
  public FencedException(String message) {
    super(message);
  }
}

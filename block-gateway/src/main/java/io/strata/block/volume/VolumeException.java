package io.strata.block.volume;

/** A refused or failed volume operation: a named reason plus which volume. */
public final class VolumeException extends RuntimeException {
  private final VolumeError error;

  public VolumeException(VolumeError error, String message) {
    super(error + ": " + message);
    this.error = error;
  }

  public VolumeException(VolumeError error, String message, Throwable cause) {
    super(error + ": " + message, cause);
    this.error = error;
  }

  public VolumeError error() {
    return error;
  }
}

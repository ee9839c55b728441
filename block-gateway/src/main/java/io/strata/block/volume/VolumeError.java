package io.strata.block.volume;

/** Why a volume operation was refused; each front-end maps these to its own error codes. */
public enum VolumeError {
  NOT_FOUND,
  ALREADY_EXISTS,
  INVALID_ARGUMENT,
  /** The volume is attached and the operation needs it detached (or forced). */
  ATTACHED,
  /** Someone else changed the record concurrently more often than we retry. */
  CONFLICT,
  /** The caller's attachment epoch is older than the volume's: a newer exclusive owner exists. */
  FENCED,
  READ_ONLY,
  /** Storage or metadata unavailable; the operation may be retried. */
  UNAVAILABLE
}

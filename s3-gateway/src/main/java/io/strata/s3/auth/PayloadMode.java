package io.strata.s3.auth;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;

/** How the body is protected, from the {@code x-amz-content-sha256} value the client signed. */
public enum PayloadMode {
  /** The header carries the hex SHA-256 of the whole body; we check it before committing. */
  SIGNED,
  UNSIGNED,
  /** aws-chunked with a signature per chunk chained from the request's seed signature. */
  STREAMING_SIGNED,
  /** As above plus signed trailing headers (the Java SDK v2 default). */
  STREAMING_SIGNED_TRAILER,
  /** aws-chunked without chunk signatures but with a trailing checksum header. */
  STREAMING_UNSIGNED_TRAILER;

  public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

  public static PayloadMode of(String contentSha256) {
    return switch (contentSha256) {
      case UNSIGNED_PAYLOAD -> UNSIGNED;
      case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" -> STREAMING_SIGNED;
      case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" -> STREAMING_SIGNED_TRAILER;
      case "STREAMING-UNSIGNED-PAYLOAD-TRAILER" -> STREAMING_UNSIGNED_TRAILER;
      default -> {
        if (contentSha256.length() == 64 && contentSha256.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
          yield SIGNED;
        }
        throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "x-amz-content-sha256 must be a SHA-256 or a known mode");
      }
    };
  }

  public boolean chunked() {
    return this == STREAMING_SIGNED || this == STREAMING_SIGNED_TRAILER || this == STREAMING_UNSIGNED_TRAILER;
  }

  public boolean signedChunks() {
    return this == STREAMING_SIGNED || this == STREAMING_SIGNED_TRAILER;
  }

  public boolean trailer() {
    return this == STREAMING_SIGNED_TRAILER || this == STREAMING_UNSIGNED_TRAILER;
  }
}

package io.strata.s3.auth;

/**
 * What a verified request leaves behind for its body: the derived key and the seed signature
 * that aws-chunked chunk signatures chain from.
 */
public record SigningContext(String accessKeyId, byte[] signingKey, String amzDate, String scope,
                             String seedSignature) {
  static final String CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD";
  static final String TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER";

  /** Signature of one aws-chunked chunk given the previous signature and the chunk's SHA-256. */
  public String chunkSignature(String previousSignature, String chunkSha256Hex) {
    return SigV4Crypto.signature(signingKey, CHUNK_ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
        + previousSignature + "\n" + SigV4Crypto.EMPTY_SHA256 + "\n" + chunkSha256Hex);
  }

  /** Signature of the trailing headers, chained from the final (empty) chunk's signature. */
  public String trailerSignature(String previousSignature, String trailerSha256Hex) {
    return SigV4Crypto.signature(signingKey, TRAILER_ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
        + previousSignature + "\n" + trailerSha256Hex);
  }
}

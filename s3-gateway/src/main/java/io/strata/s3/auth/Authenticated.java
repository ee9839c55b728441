package io.strata.s3.auth;

/**
 * A request whose signature held: who sent it, how its body is protected, and the signing
 * context aws-chunked bodies need.
 *
 * @param userName null for an anonymous request
 * @param payloadHash the signed x-amz-content-sha256 value (or UNSIGNED-PAYLOAD)
 */
public record Authenticated(String userName, SigningContext signing, PayloadMode payloadMode, String payloadHash) {
  /** A request without credentials: allowed only where a bucket policy grants "*". */
  public static Authenticated anonymous(PayloadMode mode, String payloadHash) {
    return new Authenticated(null, null, mode, payloadHash);
  }

  public boolean isAnonymous() {
    return userName == null;
  }
}

package io.strata.s3.auth;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides who sent a request: header-signed or presigned SigV4, checked against the key's
 * secret. Requests without credentials come out anonymous; what they may do is decided
 * per bucket by its policy (none: nothing). Blocking on a cache miss
 * (one metadata read), so it runs on the worker pool.
 */
public final class RequestAuthenticator {
  private final Function<String, Optional<AccessKey>> keys;
  private final SigV4Verifier verifier;

  public RequestAuthenticator(Function<String, Optional<AccessKey>> keys, SigV4Verifier verifier) {
    this.keys = keys;
    this.verifier = verifier;
  }

  public Authenticated authenticate(SignableRequest r) {
    String authorization = first(r, "authorization");
    Map<String, String> q = new HashMap<>();
    r.query().forEach(e -> q.putIfAbsent(e.getKey(), e.getValue()));
    SigV4Params params;
    String payloadHash;
    if (authorization != null) {
      params = SigV4Params.fromHeader(authorization, SigV4Verifier.amzDateOf(first(r, "x-amz-date"), first(r, "date")));
      payloadHash = first(r, "x-amz-content-sha256");
      if (payloadHash == null) {
        throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "Missing required header for this request: x-amz-content-sha256");
      }
    } else if (q.containsKey("X-Amz-Signature") || q.containsKey("X-Amz-Algorithm")) {
      params = SigV4Params.fromQuery(q);
      String h = first(r, "x-amz-content-sha256");
      payloadHash = h == null ? PayloadMode.UNSIGNED_PAYLOAD : h;
    } else if (q.containsKey("AWSAccessKeyId")) {
      throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "Signature Version 2 is not supported; use AWS4-HMAC-SHA256");
    } else {
      String h = first(r, "x-amz-content-sha256");
      PayloadMode mode = PayloadMode.of(h == null ? PayloadMode.UNSIGNED_PAYLOAD : h);
      if (mode.signedChunks()) {
        throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "signed aws-chunked bodies need a signed request");
      }
      return Authenticated.anonymous(mode, h == null ? PayloadMode.UNSIGNED_PAYLOAD : h);
    }
    PayloadMode mode = PayloadMode.of(payloadHash);
    AccessKey key = keys.apply(params.accessKeyId()).orElseThrow(() -> new S3Exception(S3ErrorCode.INVALID_ACCESS_KEY_ID));
    SigningContext ctx = verifier.verify(r, params, key.secretKey(), payloadHash);
    return new Authenticated(key.userName(), ctx, mode, payloadHash);
  }

  private static String first(SignableRequest r, String name) {
    List<String> v = r.header(name);
    return v.isEmpty() ? null : v.get(0);
  }
}

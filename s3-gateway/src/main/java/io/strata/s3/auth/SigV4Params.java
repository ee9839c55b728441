package io.strata.s3.auth;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The signature parameters of a request, from its Authorization header or its presigned query.
 * Parsing only: nothing here knows secrets or clocks.
 *
 * @param expiresSeconds the presigned lifetime, or -1 for header-signed requests
 */
public record SigV4Params(String accessKeyId, String scopeDate, String region, String service,
                          List<String> signedHeaders, String signature, String amzDate,
                          long expiresSeconds) {
  public static final long MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 3600;
  private static final java.util.regex.Pattern DATE = java.util.regex.Pattern.compile("\\d{8}");
  private static final java.util.regex.Pattern SIGNATURE = java.util.regex.Pattern.compile("[0-9a-f]{64}");

  public boolean presigned() {
    return expiresSeconds >= 0;
  }

  public String scope() {
    return scopeDate + "/" + region + "/" + service + "/aws4_request";
  }

  /** Parses {@code AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...}. */
  public static SigV4Params fromHeader(String authorization, String amzDate) {
    S3ErrorCode bad = S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED;
    if (!authorization.startsWith(SigV4Crypto.ALGORITHM + " ")) {
      throw new S3Exception(authorization.startsWith("AWS ") ? S3ErrorCode.INVALID_REQUEST : bad,
          "only AWS4-HMAC-SHA256 signatures are supported");
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : authorization.substring(SigV4Crypto.ALGORITHM.length() + 1).split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq < 0) {
        throw new S3Exception(bad, "malformed component '" + p + "'");
      }
      String v = p.substring(eq + 1);
      switch (p.substring(0, eq)) {
        case "Credential" -> credential = v;
        case "SignedHeaders" -> signedHeaders = v;
        case "Signature" -> signature = v;
        default -> throw new S3Exception(bad, "unknown component '" + p.substring(0, eq) + "'");
      }
    }
    if (credential == null || signedHeaders == null || signature == null) {
      throw new S3Exception(bad, "Credential, SignedHeaders and Signature are required");
    }
    if (amzDate == null) {
      throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "AWS authentication requires a valid Date or x-amz-date header");
    }
    return build(credential, signedHeaders, signature, amzDate, -1, bad);
  }

  /** Parses the X-Amz-* parameters of a presigned URL (already percent-decoded). */
  public static SigV4Params fromQuery(Map<String, String> q) {
    S3ErrorCode bad = S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR;
    if (!SigV4Crypto.ALGORITHM.equals(q.get("X-Amz-Algorithm"))) {
      throw new S3Exception(bad, "X-Amz-Algorithm must be " + SigV4Crypto.ALGORITHM);
    }
    for (String k : List.of("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature")) {
      if (q.get(k) == null) {
        throw new S3Exception(bad, "Query-string authentication requires " + k);
      }
    }
    long expires;
    try {
      expires = Long.parseLong(q.get("X-Amz-Expires"));
    } catch (NumberFormatException e) {
      throw new S3Exception(bad, "X-Amz-Expires must be a number");
    }
    if (expires < 0 || expires > MAX_PRESIGNED_EXPIRES_SECONDS) {
      throw new S3Exception(bad, "X-Amz-Expires must be between 0 and " + MAX_PRESIGNED_EXPIRES_SECONDS);
    }
    return build(q.get("X-Amz-Credential"), q.get("X-Amz-SignedHeaders"), q.get("X-Amz-Signature"),
        q.get("X-Amz-Date"), expires, bad);
  }

  private static SigV4Params build(String credential, String signedHeaders, String signature,
                                   String amzDate, long expires, S3ErrorCode bad) {
    String[] c = credential.split("/", -1);
    if (c.length != 5 || c[0].isEmpty() || !"aws4_request".equals(c[4]) || !DATE.matcher(c[1]).matches()) {
      throw new S3Exception(bad, "Credential must be KEY/yyyyMMdd/region/service/aws4_request");
    }
    if (!SIGNATURE.matcher(signature).matches()) {
      throw new S3Exception(bad, "Signature must be 64 lower-case hex digits");
    }
    List<String> headers = Arrays.asList(signedHeaders.split(";"));
    if (!headers.contains("host")) {
      throw new S3Exception(bad, "SignedHeaders must include host");
    }
    for (int i = 1; i < headers.size(); i++) {
      if (headers.get(i - 1).compareTo(headers.get(i)) >= 0 || !headers.get(i).equals(headers.get(i).toLowerCase())) {
        throw new S3Exception(bad, "SignedHeaders must be lower-case and sorted");
      }
    }
    return new SigV4Params(c[0], c[1], c[2], c[3], List.copyOf(headers), signature, amzDate, expires);
  }
}

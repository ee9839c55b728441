package io.strata.s3.auth;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a request's SigV4 signature and its time window. Pure apart from the injected clock,
 * so the AWS test vectors run against it with a fixed clock.
 */
public final class SigV4Verifier {
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);
  public static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private final Clock clock;
  static final int MAX_CACHED_SIGNING_KEYS = 10_000;
  private final java.util.concurrent.ConcurrentHashMap<String, byte[]> signingKeys = new java.util.concurrent.ConcurrentHashMap<>();

  public SigV4Verifier(Clock clock) {
    this.clock = clock;
  }

  /**
   * @param payloadHash the x-amz-content-sha256 value the client signed with (UNSIGNED-PAYLOAD for presigned URLs)
   * @throws S3Exception SignatureDoesNotMatch, RequestTimeTooSkewed, expired, malformed
   */
  public SigningContext verify(SignableRequest r, SigV4Params p, String secret, String payloadHash) {
    Instant t = parseAmzDate(p.amzDate());
    if (!p.amzDate().startsWith(p.scopeDate())) {
      throw new S3Exception(p.presigned() ? S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR
          : S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED, "credential date does not match the request date");
    }
    checkTime(t, p);
    List<String> missing = new ArrayList<>();
    for (String h : p.signedHeaders()) {
      if (r.header(h).isEmpty()) {
        missing.add(h);
      }
    }
    if (!missing.isEmpty()) {
      throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, "signed headers missing from the request: " + missing);
    }
    List<Map.Entry<String, String>> query = r.query();
    if (p.presigned()) {
      query = query.stream().filter(e -> !e.getKey().equals("X-Amz-Signature")).toList();
    }
    String canonical = CanonicalRequest.build(r.method(), r.decodedPath(), query, p.signedHeaders(),
        r::header, payloadHash);
    byte[] key = signingKey(secret, p);
    String expected = SigV4Crypto.signature(key, SigV4Crypto.stringToSign(p.amzDate(), p.scope(), canonical));
    if (!SigV4Crypto.constantTimeEquals(expected, p.signature())) {
      throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH,
          S3ErrorCode.SIGNATURE_DOES_NOT_MATCH.defaultMessage() + ". Check your key and signing method.");
    }
    return new SigningContext(p.accessKeyId(), key, p.amzDate(), p.scope(), p.signature());
  }

  /** The derived key changes once a day per key and region: four HMACs saved on almost every request. */
  private byte[] signingKey(String secret, SigV4Params p) {
    String id = p.accessKeyId() + "/" + p.scope() + "\n" + secret;
    byte[] k = signingKeys.get(id);
    if (k == null) {
      k = SigV4Crypto.signingKey(secret, p.scopeDate(), p.region(), p.service());
      if (signingKeys.size() >= MAX_CACHED_SIGNING_KEYS) {
        signingKeys.clear();
      }
      signingKeys.put(id, k);
    }
    return k;
  }

  private void checkTime(Instant t, SigV4Params p) {
    Instant now = clock.instant();
    if (p.presigned()) {
      if (now.isBefore(t.minus(MAX_CLOCK_SKEW))) {
        throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "Request is not valid yet");
      }
      if (now.isAfter(t.plusSeconds(p.expiresSeconds()))) {
        throw new S3Exception(S3ErrorCode.EXPIRED_REQUEST);
      }
    } else if (Duration.between(t, now).abs().compareTo(MAX_CLOCK_SKEW) > 0) {
      throw new S3Exception(S3ErrorCode.REQUEST_TIME_TOO_SKEWED);
    }
  }

  /** {@code yyyyMMdd'T'HHmmss'Z'}, parsed by hand: the formatter's general parser is slow per request. */
  public static Instant parseAmzDate(String s) {
    try {
      if (s.length() != 16 || s.charAt(8) != 'T' || s.charAt(15) != 'Z') {
        throw new DateTimeException(s);
      }
      return LocalDateTime.of(digits(s, 0, 4), digits(s, 4, 2), digits(s, 6, 2), digits(s, 9, 2), digits(s, 11, 2),
          digits(s, 13, 2)).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "AWS authentication requires a valid Date or x-amz-date header");
    }
  }

  private static int digits(String s, int from, int n) {
    int v = 0;
    for (int i = from; i < from + n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new DateTimeException(s);
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** The request time as x-amz-date, or the HTTP Date header converted to that form. */
  public static String amzDateOf(String xAmzDate, String httpDate) {
    if (xAmzDate != null) {
      return xAmzDate;
    }
    if (httpDate == null) {
      return null;
    }
    try {
      return AMZ_DATE.format(ZonedDateTime.parse(httpDate, DateTimeFormatter.RFC_1123_DATE_TIME)
          .withZoneSameInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}

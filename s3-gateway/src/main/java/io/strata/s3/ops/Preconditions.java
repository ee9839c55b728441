package io.strata.s3.ops;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.Function;

/**
 * HTTP conditional requests as S3 evaluates them (RFC 7232 order): If-Match, then
 * If-Unmodified-Since only without If-Match, then If-None-Match, then If-Modified-Since only
 * without If-None-Match. GET/HEAD answer 304 where a write or copy answers 412. Pure.
 */
final class Preconditions {
  private Preconditions() {}

  /**
   * @param header header values by lower-case name (prefix included, e.g. x-amz-copy-source-if-match)
   * @param prefix "" for GET/HEAD/PUT, "x-amz-copy-source-" for copy sources
   * @param read whether a failed "none match"/"modified since" is 304 (reads) or 412 (copies)
   */
  static void check(Function<String, String> header, String prefix, String etag, long lastModifiedMillis, boolean read) {
    long modifiedSeconds = lastModifiedMillis / 1000;
    String ifMatch = header.apply(prefix + "if-match");
    String ifUnmodified = header.apply(prefix + "if-unmodified-since");
    String ifNoneMatch = header.apply(prefix + "if-none-match");
    String ifModified = header.apply(prefix + "if-modified-since");
    if (ifMatch != null) {
      if (!etagMatches(ifMatch, etag)) {
        throw new S3Exception(S3ErrorCode.PRECONDITION_FAILED);
      }
    } else if (ifUnmodified != null) {
      Long t = date(ifUnmodified);
      if (t != null && modifiedSeconds > t) {
        throw new S3Exception(S3ErrorCode.PRECONDITION_FAILED);
      }
    }
    S3ErrorCode notModified = read ? S3ErrorCode.NOT_MODIFIED : S3ErrorCode.PRECONDITION_FAILED;
    if (ifNoneMatch != null) {
      if (etagMatches(ifNoneMatch, etag)) {
        throw new S3Exception(notModified);
      }
    } else if (ifModified != null) {
      Long t = date(ifModified);
      if (t != null && modifiedSeconds <= t) {
        throw new S3Exception(notModified);
      }
    }
  }

  static boolean etagMatches(String header, String etag) {
    for (String candidate : header.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals("*") || c.replace("\"", "").equals(etag)) {
        return true;
      }
    }
    return false;
  }

  /** Epoch seconds of an HTTP date; null (condition ignored, as S3 does) when unparsable. */
  static Long date(String v) {
    try {
      return ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}

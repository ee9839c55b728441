package io.strata.s3.ops;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;

/**
 * One byte range of an object from a {@code Range: bytes=...} header. As S3 does, a header we
 * cannot parse (or one with several ranges) is ignored and the whole object is served; a
 * syntactically valid range that starts past the end is 416 InvalidRange.
 */
public record ByteRange(long start, long length) {

  /** @return the range, or null to serve the whole object */
  public static ByteRange parse(String header, long size) {
    if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
      return null;
    }
    String spec = header.substring("bytes=".length()).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      if (a.isEmpty()) {
        long n = Long.parseLong(b);
        if (n <= 0 || size == 0) {
          throw new S3Exception(S3ErrorCode.INVALID_RANGE);
        }
        long start = Math.max(0, size - n);
        return new ByteRange(start, size - start);
      }
      long start = Long.parseLong(a);
      long end = b.isEmpty() ? size - 1 : Long.parseLong(b);
      if (start < 0 || (!b.isEmpty() && end < start)) {
        return null;
      }
      if (start >= size) {
        throw new S3Exception(S3ErrorCode.INVALID_RANGE);
      }
      return new ByteRange(start, Math.min(end, size - 1) - start + 1);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public String contentRange(long size) {
    return "bytes " + start + "-" + (start + length - 1) + "/" + size;
  }
}

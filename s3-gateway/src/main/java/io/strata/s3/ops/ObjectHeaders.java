package io.strata.s3.ops;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.ObjectRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Object headers in and out: user metadata, Content-Type, ETag, dates in S3's formats. */
final class ObjectHeaders {
  static final int MAX_USER_METADATA_BYTES = 2048;
  static final String DEFAULT_CONTENT_TYPE = "binary/octet-stream";
  static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private ObjectHeaders() {}

  static Map<String, String> userMetadata(S3Request r) {
    Map<String, String> m = new TreeMap<>();
    int bytes = 0;
    for (Map.Entry<String, String> h : r.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith("x-amz-meta-") && !m.containsKey(name)) {
        String k = name.substring("x-amz-meta-".length());
        m.put(k, h.getValue());
        bytes += k.getBytes(StandardCharsets.UTF_8).length + h.getValue().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    if (bytes > MAX_USER_METADATA_BYTES) {
      throw new S3Exception(S3ErrorCode.METADATA_TOO_LARGE);
    }
    return m;
  }

  static String contentType(S3Request r) {
    String ct = r.headerValue("content-type");
    return ct == null || ct.isBlank() ? DEFAULT_CONTENT_TYPE : ct;
  }

  static String quoted(String etag) {
    return "\"" + etag + "\"";
  }

  static String iso(long millis) {
    return ISO.format(Instant.ofEpochMilli(millis));
  }

  static String http(long millis) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC));
  }

  /** Headers every GET/HEAD of an object carries. */
  static Reply describe(Reply reply, ObjectRecord o) {
    reply.header("ETag", quoted(o.etag()))
        .header("Last-Modified", http(o.lastModifiedMillis()))
        .header("Content-Type", o.contentType())
        .header("Accept-Ranges", "bytes");
    o.userMetadata().forEach((k, v) -> reply.header("x-amz-meta-" + k, v));
    return reply;
  }
}

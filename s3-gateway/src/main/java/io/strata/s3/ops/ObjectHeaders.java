package io.strata.s3.ops;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.BucketRecord;
import io.strata.s3.store.ObjectRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Object headers in and out: user metadata, stored standard headers, ETag, dates in S3's formats. */
final class ObjectHeaders {
  static final int MAX_USER_METADATA_BYTES = 2048;
  /** Standard headers S3 stores with an object and returns on GET/HEAD. */
  static final List<String> STORED = List.of("content-type", "content-encoding", "content-disposition",
      "cache-control", "expires", "content-language");
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

  /** The standard headers to store (Content-Type defaulted, aws-chunked dropped from Content-Encoding). */
  static Map<String, String> stored(S3Request r) {
    Map<String, String> m = new TreeMap<>();
    for (String h : STORED) {
      String v = r.headerValue(h);
      if (h.equals("content-encoding") && v != null) {
        v = stripAwsChunked(v);
      }
      if (v != null && !v.isBlank()) {
        m.put(h, v);
      }
    }
    m.putIfAbsent("content-type", ObjectRecord.DEFAULT_CONTENT_TYPE);
    return m;
  }

  private static String stripAwsChunked(String v) {
    StringBuilder sb = new StringBuilder();
    for (String part : v.split(",")) {
      if (!part.trim().equalsIgnoreCase("aws-chunked") && !part.isBlank()) {
        sb.append(sb.length() == 0 ? "" : ",").append(part.trim());
      }
    }
    return sb.toString();
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

  /** The version id header: present once the bucket has had versioning, "null" for the null version. */
  static void versionHeader(Reply reply, BucketRecord b, String versionId) {
    if (b.versioning() != BucketRecord.Versioning.UNVERSIONED && versionId != null) {
      reply.header("x-amz-version-id", versionId);
    }
  }

  /** Headers every GET/HEAD of an object carries. */
  static Reply describe(Reply reply, ObjectRecord o, BucketRecord b, boolean checksumMode) {
    reply.header("ETag", quoted(o.etag()))
        .header("Last-Modified", http(o.lastModifiedMillis()))
        .header("Accept-Ranges", "bytes");
    o.headers().forEach(reply::header);
    o.userMetadata().forEach((k, v) -> reply.header("x-amz-meta-" + k, v));
    if (!o.tags().isEmpty()) {
      reply.header("x-amz-tagging-count", o.tags().size());
    }
    if (o.etag().contains("-")) {
      reply.header("x-amz-mp-parts-count", o.segments().size());
    }
    versionHeader(reply, b, o.versionId());
    if (checksumMode && o.checksum().present()) {
      reply.header("x-amz-checksum-" + o.checksum().algorithm(), o.checksum().value());
      reply.header("x-amz-checksum-type", o.checksum().type());
    }
    return reply;
  }
}

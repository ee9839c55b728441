package io.strata.s3.http;

import io.netty.handler.codec.http.HttpRequest;
import io.strata.s3.auth.AwsUriEncoding;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns an HTTP request head into an {@link S3Request}: splits the URI, decodes the query and
 * finds bucket and key, from the Host header when it is {@code bucket.<virtual-host suffix>}
 * and from the first path segment otherwise. Pure; tested without sockets.
 */
public final class RequestParser {
  public static final int MAX_KEY_BYTES = 1024;
  static final int MAX_QUERY_PARAMS = 100;

  private final List<String> virtualHostSuffixes;

  /** @param virtualHostSuffixes host names under which {@code bucket.suffix} addresses a bucket, e.g. "localhost" */
  public RequestParser(List<String> virtualHostSuffixes) {
    this.virtualHostSuffixes = List.copyOf(virtualHostSuffixes);
  }

  public S3Request parse(HttpRequest req, String requestId) {
    String uri = req.uri();
    if (uri.isEmpty() || uri.charAt(0) != '/') {
      throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "request target must be an absolute path");
    }
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    String path = AwsUriEncoding.decode(rawPath);
    List<Map.Entry<String, String>> query = q < 0 ? List.of() : parseQuery(uri.substring(q + 1));
    String hostBucket = virtualHostBucket(req.headers().get("host"));
    String bucket;
    String key;
    if (hostBucket != null) {
      bucket = hostBucket;
      key = path.length() > 1 ? path.substring(1) : null;
    } else {
      int slash = path.indexOf('/', 1);
      bucket = path.length() > 1 ? (slash < 0 ? path.substring(1) : path.substring(1, slash)) : null;
      key = slash < 0 || slash == path.length() - 1 ? null : path.substring(slash + 1);
    }
    if (key != null && key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw new S3Exception(S3ErrorCode.KEY_TOO_LONG);
    }
    if (key != null && key.indexOf('\0') >= 0) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "object keys may not contain NUL");  // our key separator
    }
    return new S3Request(requestId, req.method().name(), path, bucket, key, query, req.headers());
  }

  static List<Map.Entry<String, String>> parseQuery(String raw) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      if (out.size() >= MAX_QUERY_PARAMS) {
        throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "too many query parameters");
      }
      int eq = part.indexOf('=');
      String name = AwsUriEncoding.decode(eq < 0 ? part : part.substring(0, eq));
      String value = eq < 0 ? "" : AwsUriEncoding.decode(part.substring(eq + 1));
      out.add(new AbstractMap.SimpleImmutableEntry<>(name, value));
    }
    return out;
  }

  String virtualHostBucket(String host) {
    if (host == null) {
      return null;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      return null;  // IPv6 literal
    }
    int colon = h.lastIndexOf(':');
    if (colon >= 0) {
      h = h.substring(0, colon);
    }
    for (String suffix : virtualHostSuffixes) {
      if (h.endsWith("." + suffix) && h.length() > suffix.length() + 1) {
        return h.substring(0, h.length() - suffix.length() - 1);
      }
    }
    return null;
  }
}

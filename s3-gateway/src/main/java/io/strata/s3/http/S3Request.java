package io.strata.s3.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.strata.s3.auth.SignableRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request's head as S3 sees it: which bucket and key it addresses (path- or
 * virtual-host-style), its decoded query, and its headers. Immutable once parsed.
 *
 * @param bucket null for service-level requests (ListBuckets)
 * @param key null for bucket-level requests
 */
public record S3Request(String requestId, String method, String decodedPath, String bucket, String key,
                        List<Map.Entry<String, String>> query, HttpHeaders headers) implements SignableRequest {

  public boolean hasParam(String name) {
    return query.stream().anyMatch(e -> e.getKey().equals(name));
  }

  /** First value of a query parameter, or null. */
  public String param(String name) {
    for (Map.Entry<String, String> e : query) {
      if (e.getKey().equals(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  public Map<String, String> paramMap() {
    Map<String, String> m = new HashMap<>();
    for (Map.Entry<String, String> e : query) {
      m.putIfAbsent(e.getKey(), e.getValue());
    }
    return m;
  }

  /** First value of a header, or null. */
  public String headerValue(String name) {
    return headers.get(name);
  }

  /** First values of all headers, lower-case names. */
  public Map<String, String> headerMap() {
    Map<String, String> m = new HashMap<>();
    headers.forEach(e -> m.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
    return m;
  }

  /** The resource named in error documents: /bucket/key. */
  public String resource() {
    return bucket == null ? "/" : key == null ? "/" + bucket : "/" + bucket + "/" + key;
  }

  @Override
  public List<String> header(String lowerCaseName) {
    return headers.getAll(lowerCaseName);
  }
}

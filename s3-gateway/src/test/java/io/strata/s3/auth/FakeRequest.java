package io.strata.s3.auth;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A hand-built request for signature tests. */
final class FakeRequest implements SignableRequest {
  private final String method;
  private final String path;
  private final List<Map.Entry<String, String>> query = new ArrayList<>();
  private final Map<String, List<String>> headers = new LinkedHashMap<>();

  FakeRequest(String method, String path) {
    this.method = method;
    this.path = path;
  }

  FakeRequest q(String k, String v) {
    query.add(new AbstractMap.SimpleImmutableEntry<>(k, v));
    return this;
  }

  FakeRequest h(String k, String v) {
    headers.computeIfAbsent(k.toLowerCase(), x -> new ArrayList<>()).add(v);
    return this;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String decodedPath() {
    return path;
  }

  @Override
  public List<Map.Entry<String, String>> query() {
    return query;
  }

  @Override
  public List<String> header(String lowerCaseName) {
    return headers.getOrDefault(lowerCaseName, List.of());
  }
}

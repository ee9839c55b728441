package io.strata.s3.cors;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.store.BucketRecord;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CORS headers of a response: for a preflight OPTIONS (no credentials needed, 403 when no
 * rule allows it) and for an ordinary request that carries an Origin header (headers added only
 * when a rule matches, never an error). Parsed configurations are cached by their text.
 */
public final class CorsResponder {
  static final int MAX_CACHED = 1024;

  private final ConcurrentHashMap<String, CorsConfiguration> parsed = new ConcurrentHashMap<>();

  private CorsConfiguration config(BucketRecord b) {
    CorsConfiguration c = parsed.get(b.corsXml());
    if (c == null) {
      c = CorsConfiguration.parse(b.corsXml().getBytes(StandardCharsets.UTF_8));
      if (parsed.size() >= MAX_CACHED) {
        parsed.clear();
      }
      parsed.put(b.corsXml(), c);
    }
    return c;
  }

  /** Headers for a preflight; throws the S3 error S3 gives when it is not allowed. */
  public Map<String, String> preflight(BucketRecord b, String origin, String method, String requestHeaders) {
    if (origin == null || method == null) {
      throw new S3Exception(S3ErrorCode.BAD_REQUEST, origin == null
          ? "Insufficient information. Origin request header needed."
          : "Invalid Access-Control-Request-Method: null");
    }
    if (b.corsXml().isEmpty()) {
      throw new S3Exception(S3ErrorCode.CORS_FORBIDDEN, "CORSResponse: CORS is not enabled for this bucket.");
    }
    List<String> headers = CorsConfiguration.headerList(requestHeaders);
    CorsConfiguration.Rule rule = config(b).match(origin, method, headers)
        .orElseThrow(() -> new S3Exception(S3ErrorCode.CORS_FORBIDDEN));
    Map<String, String> out = common(rule, origin);
    out.put("Access-Control-Allow-Methods", String.join(", ", rule.methods()));
    if (!headers.isEmpty()) {
      out.put("Access-Control-Allow-Headers", String.join(", ", headers));
    }
    if (rule.maxAgeSeconds() != null) {
      out.put("Access-Control-Max-Age", String.valueOf(rule.maxAgeSeconds()));
    }
    return out;
  }

  /** Headers for an actual cross-origin request, empty when no rule matches. */
  public Map<String, String> actual(BucketRecord b, String origin, String method) {
    if (origin == null || b.corsXml().isEmpty()) {
      return Map.of();
    }
    String m = method.equals("OPTIONS") ? "GET" : method;
    Optional<CorsConfiguration.Rule> rule = config(b).match(origin, m, List.of());
    if (rule.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = common(rule.get(), origin);
    out.put("Access-Control-Allow-Methods", String.join(", ", rule.get().methods()));
    return out;
  }

  private static Map<String, String> common(CorsConfiguration.Rule rule, String origin) {
    Map<String, String> out = new LinkedHashMap<>();
    boolean any = rule.origins().contains("*");
    out.put("Access-Control-Allow-Origin", any ? "*" : origin);
    if (!any) {
      out.put("Access-Control-Allow-Credentials", "true");
    }
    out.put("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
    if (!rule.exposeHeaders().isEmpty()) {
      out.put("Access-Control-Expose-Headers", String.join(", ", rule.exposeHeaders()));
    }
    return out;
  }
}

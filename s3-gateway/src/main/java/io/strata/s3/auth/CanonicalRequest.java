package io.strata.s3.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds SigV4's canonical request from already-decoded parts. Pure: the same inputs always
 * give the same string, which is what the AWS test vectors check.
 */
public final class CanonicalRequest {
  private CanonicalRequest() {}

  /**
   * @param decodedPath the request path, percent-decoded (S3 encodes it exactly once)
   * @param query decoded query parameters in arrival order (duplicates allowed)
   * @param headerValues all values of a lower-case header name, in arrival order
   */
  public static String build(String method, String decodedPath, List<Map.Entry<String, String>> query,
                             List<String> signedHeaders, Function<String, List<String>> headerValues,
                             String payloadHash) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(method).append('\n');
    sb.append(AwsUriEncoding.encode(decodedPath.isEmpty() ? "/" : decodedPath, true)).append('\n');
    sb.append(canonicalQuery(query)).append('\n');
    for (String h : signedHeaders) {
      sb.append(h).append(':').append(canonicalHeaderValue(headerValues.apply(h))).append('\n');
    }
    sb.append('\n').append(String.join(";", signedHeaders)).append('\n');
    sb.append(payloadHash);
    return sb.toString();
  }

  static String canonicalQuery(List<Map.Entry<String, String>> query) {
    List<String[]> encoded = new ArrayList<>(query.size());
    for (Map.Entry<String, String> e : query) {
      encoded.add(new String[] {AwsUriEncoding.encode(e.getKey(), false), AwsUriEncoding.encode(e.getValue(), false)});
    }
    encoded.sort((a, b) -> {
      int c = a[0].compareTo(b[0]);
      return c != 0 ? c : a[1].compareTo(b[1]);
    });
    StringBuilder sb = new StringBuilder();
    for (String[] kv : encoded) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(kv[0]).append('=').append(kv[1]);
    }
    return sb.toString();
  }

  /** Values trimmed, inner runs of spaces collapsed, several values joined with commas. */
  static String canonicalHeaderValue(List<String> values) {
    StringBuilder sb = new StringBuilder();
    for (String v : values) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      collapseWhitespace(v.trim(), sb);
    }
    return sb.toString();
  }

  /** Appends {@code v} with every run of whitespace (regex {@code \\s+}) replaced by one space. */
  private static void collapseWhitespace(String v, StringBuilder sb) {
    boolean inRun = false;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r') {
        if (!inRun) {
          sb.append(' ');
          inRun = true;
        }
      } else {
        sb.append(c);
        inRun = false;
      }
    }
  }
}

package io.strata.s3.http;

import java.util.List;
import java.util.Map;

/** Test access to the query parser. */
public final class RequestParserProbe {
  private RequestParserProbe() {}

  public static List<Map.Entry<String, String>> query(String raw) {
    return RequestParser.parseQuery(raw);
  }
}

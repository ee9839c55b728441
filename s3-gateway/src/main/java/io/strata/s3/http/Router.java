package io.strata.s3.http;

import io.strata.s3.auth.Authenticated;
import java.util.Map;

/** Picks the operation for an authenticated request; may block (it runs on the worker pool). */
public interface Router {
  Operation route(S3Request request, Authenticated who);

  /** Headers every response to this request carries (CORS); may block, called on the worker pool. */
  default Map<String, String> corsHeaders(S3Request request) {
    return Map.of();
  }
}

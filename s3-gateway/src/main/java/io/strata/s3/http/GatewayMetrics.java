package io.strata.s3.http;

import io.strata.common.Metrics;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/** The gateway's Prometheus series, with bounded label sets (method x status class). */
public final class GatewayMetrics {
  static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS");
  public static final LongAdder RECEIVED_BYTES = Metrics.global().counter("strata_s3_received_bytes_total",
      "object and part payload bytes received and verified");
  public static final LongAdder SENT_BYTES = Metrics.global().counter("strata_s3_sent_bytes_total",
      "object payload bytes sent");

  private GatewayMetrics() {}

  /** Which body protection clients use (five values), e.g. to see the SDK's trailer modes. */
  static void payloadMode(io.strata.s3.auth.PayloadMode mode) {
    Metrics.global().counter("strata_s3_payload_mode_total{mode=\"" + mode.name().toLowerCase(java.util.Locale.ROOT) + "\"}",
        "request bodies by x-amz-content-sha256 mode").increment();
  }

  static void response(String method, int status) {
    String m = METHODS.contains(method) ? method : "OTHER";
    Metrics.global().counter("strata_s3_responses_total{method=\"" + m + "\",class=\"" + (status / 100) + "xx\"}",
        "S3 responses by method and HTTP status class").increment();
  }
}

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

  /** Counters by method (METHODS order, then OTHER) and status class 1xx..5xx, looked up once. */
  private static final java.util.List<String> ORDER = java.util.List.of("GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS",
      "OTHER");
  private static final LongAdder[][] RESPONSES = new LongAdder[ORDER.size()][5];
  private static final LongAdder[] MICROS = new LongAdder[ORDER.size()];

  /** One response, {@code micros} after its request head arrived (time to the response head). */
  static void response(String method, int status, long micros) {
    int m = ORDER.indexOf(METHODS.contains(method) ? method : "OTHER");
    LongAdder t = MICROS[m];
    if (t == null) {
      t = Metrics.global().counter("strata_s3_response_micros_total{method=\"" + ORDER.get(m) + "\"}",
          "summed time from a request's head to its response head, microseconds, by method");
      MICROS[m] = t;
    }
    t.add(micros);
    int c = Math.max(1, Math.min(5, status / 100)) - 1;
    LongAdder a = RESPONSES[m][c];
    if (a == null) {
      a = Metrics.global().counter("strata_s3_responses_total{method=\"" + ORDER.get(m) + "\",class=\"" + (c + 1) + "xx\"}",
          "S3 responses by method and HTTP status class");
      RESPONSES[m][c] = a;  // racing threads store the same registered adder
    }
    a.increment();
  }
}

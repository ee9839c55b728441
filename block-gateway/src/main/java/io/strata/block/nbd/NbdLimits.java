package io.strata.block.nbd;

/**
 * The bounds of one NBD server, defaulting to the constants in {@link Nbd}; tests shrink them to
 * reach the back-pressure and timeout paths with little data.
 *
 * @param maxInFlightRequests requests in flight per connection before it stops reading
 * @param maxInFlightBytes READ/WRITE payload in flight per connection before it stops reading
 * @param serverInFlightBytes READ/WRITE payload in flight across all connections of the server
 * @param requestTimeoutMillis a request unanswered this long is answered EIO (and logged): a lost
 *     request must never become a silent hang of the client
 */
public record NbdLimits(int maxInFlightRequests, long maxInFlightBytes, long serverInFlightBytes,
                        long requestTimeoutMillis) {
  public static final NbdLimits DEFAULTS = new NbdLimits(Nbd.MAX_IN_FLIGHT_REQUESTS, Nbd.MAX_IN_FLIGHT_BYTES,
      Nbd.MAX_SERVER_IN_FLIGHT_BYTES, Nbd.REQUEST_TIMEOUT_SECONDS * 1000L);

  public NbdLimits {
    if (maxInFlightRequests < 1 || maxInFlightBytes < 1 || serverInFlightBytes < 1 || requestTimeoutMillis < 1) {
      throw new IllegalArgumentException("NBD limits must be positive: " + maxInFlightRequests + "/"
          + maxInFlightBytes + "/" + serverInFlightBytes + "/" + requestTimeoutMillis);
    }
  }

  /** How often a connection looks for requests past their timeout. */
  long watchdogPeriodMillis() {
    return Math.max(50, Math.min(5_000, requestTimeoutMillis / 4));
  }
}

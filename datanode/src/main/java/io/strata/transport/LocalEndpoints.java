package io.strata.transport;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data servers of this process, by the address they advertise, for calls that need no
 * socket: when the embedded cloud runs gateways and datanodes in one JVM, a {@link DataClient}
 * to such an address hands its frames to the server's event loop directly (no encoding, no
 * loopback TCP copies or system calls) while keeping everything else the same: requests of one
 * client run in order on one server event loop, replies complete on a client event loop, every
 * call has a deadline, and closing the server fails the calls it has not answered. Off unless
 * {@link #enable} (the embedded cloud does; tests over TCP do not).
 */
public final class LocalEndpoints {
  private static final Map<String, Endpoint> BY_ADDRESS = new ConcurrentHashMap<>();
  /** {@code -Dstrata.transport.local=true} turns local calls on everywhere (to run the whole test suite with them). */
  private static volatile boolean enabled = Boolean.getBoolean("strata.transport.local");
  static final java.util.concurrent.atomic.LongAdder CALLS = io.strata.common.Metrics.global().counter(
      "strata_transport_local_calls_total", "data calls to a server of this process, made without a socket");

  private LocalEndpoints() {}

  /** Lets clients created from now on reach this process's servers without sockets. */
  public static void enable(boolean on) {
    enabled = on;
  }

  /** Calls made without a socket since the process started. */
  public static long calls() {
    return CALLS.sum();
  }

  static Endpoint lookup(String address) {
    return enabled ? BY_ADDRESS.get(address) : null;
  }

  static Endpoint register(String address, DataService service) {
    Endpoint e = new Endpoint(address, service);
    BY_ADDRESS.put(address, e);
    return e;
  }

  /** One server: its service, and the local links to it, failed when it closes. */
  static final class Endpoint {
    final String address;
    final DataService service;
    private final Set<Runnable> onClose = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Endpoint(String address, DataService service) {
      this.address = address;
      this.service = service;
    }

    boolean closed() {
      return closed;
    }

    /** Runs {@code r} when the server closes (at once if it has). */
    void onClose(Runnable r) {
      onClose.add(r);
      if (closed && onClose.remove(r)) {
        r.run();
      }
    }

    void forget(Runnable r) {
      onClose.remove(r);
    }

    void close() {
      closed = true;
      BY_ADDRESS.remove(address, this);
      for (Runnable r : onClose) {
        if (onClose.remove(r)) {
          r.run();
        }
      }
    }
  }
}

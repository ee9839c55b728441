package io.strata.common;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Port helpers. Ratis needs a peer's address before the peer starts, so tests pick free ports
 * and bind them later (and again after a restart). The kernel's "port 0" answer comes from the
 * ephemeral range, the very range it also hands to every outgoing connection; in the gap
 * between picking and binding, one of our own client sockets could take the port ("Address
 * already in use" under load). So ports are picked below the ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}, 32768 and up by default), checked by binding
 * them, and never handed out twice by one JVM.
 */
public final class Ports {
  static final int LOW = 21_000;
  static final int HIGH = 32_000;
  private static final int ATTEMPTS = 2_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private Ports() {}

  public static int freePort() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < ATTEMPTS; i++) {
      int p = random.nextInt(LOW, HIGH);
      if (HANDED_OUT.add(p) && bindable(p)) {
        return p;
      }
    }
    throw new IllegalStateException("no free port in " + LOW + "-" + HIGH + " after " + ATTEMPTS + " attempts");
  }

  /**
   * A base port such that {@code base + o + i} is free for every offset {@code o} in
   * {@code offsets} and every {@code i < count}: for services that number their ports from a
   * base (the launcher's metadata and datanode ports, and a datanode's data port at an offset).
   */
  public static int freeRange(int count, int... offsets) {
    int[] at = offsets.length == 0 ? new int[] {0} : offsets;
    int span = java.util.Arrays.stream(at).max().getAsInt() + count;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < ATTEMPTS; i++) {
      int base = random.nextInt(LOW, HIGH - span);
      java.util.List<Integer> taken = new java.util.ArrayList<>();
      boolean free = true;
      for (int o : at) {
        for (int k = 0; k < count && free; k++) {
          int p = base + o + k;
          free = HANDED_OUT.add(p) && bindable(p);
          if (free) {
            taken.add(p);
          }
        }
      }
      if (free) {
        return base;
      }
      HANDED_OUT.removeAll(taken);
    }
    throw new IllegalStateException("no free range of " + count + " ports after " + ATTEMPTS + " attempts");
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);  // a TIME_WAIT leftover does not stop a listener from binding either
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

package io.strata.nfs.share;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A client network in CIDR form ({@code 127.0.0.0/8}, {@code 10.1.2.3}, {@code ::1/128}, {@code *}). */
public record ClientRule(byte[] network, int prefixBits, String text) {
  public static ClientRule parse(String cidr) {
    String s = cidr.trim();
    if (s.equals("*")) {
      return new ClientRule(new byte[0], 0, "*");
    }
    int slash = s.indexOf('/');
    String host = slash < 0 ? s : s.substring(0, slash);
    if (!host.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("client rule '" + cidr + "' is not an address or CIDR");
    }
    byte[] addr;
    try {
      addr = InetAddress.getByName(host).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("client rule '" + cidr + "' is not an address", e);
    }
    int bits = addr.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("client rule '" + cidr + "' has a bad prefix length");
      }
      if (bits < 0 || bits > addr.length * 8) {
        throw new IllegalArgumentException("client rule '" + cidr + "' prefix must be 0.." + addr.length * 8);
      }
    }
    return new ClientRule(addr, bits, s);
  }

  public boolean matches(InetAddress client) {
    if (network.length == 0) {
      return true;
    }
    byte[] a = client.getAddress();
    if (a.length != network.length) {
      return false;
    }
    int full = prefixBits / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixBits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }
}

package io.strata.sim;

import java.util.Locale;

/** Parses sizes such as {@code 512}, {@code 64K}, {@code 10G}, {@code 1TiB} (binary units). */
final class Sizes {
  private Sizes() {}

  static long parse(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
    long mult = 1;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'K' -> mult = 1L << 10;
        case 'M' -> mult = 1L << 20;
        case 'G' -> mult = 1L << 30;
        case 'T' -> mult = 1L << 40;
        default -> mult = 1;
      }
    }
    String digits = mult == 1 ? t : t.substring(0, t.length() - 1);
    try {
      long n = Long.parseLong(digits);
      if (n < 0 || n > Long.MAX_VALUE / mult) {
        throw new IllegalArgumentException("size out of range: " + s);
      }
      return n * mult;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a size: " + s);
    }
  }
}

package io.strata.s3.ops;

/** Test access to the package-private range parser. */
public final class ByteRangeProbe {
  private ByteRangeProbe() {}

  public static String parse(String header, long size) {
    ByteRange r = ByteRange.parse(header, size);
    return r == null ? "whole" : r.start() + ":" + r.length();
  }
}

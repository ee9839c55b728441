package io.strata.s3.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The Date header of responses, formatted once per second rather than once per response. */
final class HttpDate {
  private record Stamp(long second, String text) {}

  private static volatile Stamp last = new Stamp(Long.MIN_VALUE, "");

  private HttpDate() {}

  static String now() {
    long second = System.currentTimeMillis() / 1000;
    Stamp s = last;
    if (s.second() != second) {
      s = new Stamp(second, DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochSecond(second).atZone(ZoneOffset.UTC)));
      last = s;
    }
    return s.text();
  }
}

package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which requests are refused before storage, and with which errno. Volume size 1 MiB. */
class RequestCheckTest {
  static final long SIZE = 1 << 20;

  @ParameterizedTest(name = "{0} type={1} off={2} len={3} ro={4} -> {5}")
  @CsvSource({
      "read ok,            0, 0,       4096,     false, 0",
      "read to the end,    0, 1044480, 4096,     false, 0",
      "read past end,      0, 1044481, 4096,     false, 22",
      "read negative off,  0, -1,      1,        false, 22",
      "read overflow,      0, 9223372036854775807, 4096, false, 22",
      "read too big,       0, 0,       33554433, false, 22",
      "write ok,           1, 0,       4096,     false, 0",
      "write past end,     1, 1048576, 1,        false, 28",
      "write read-only,    1, 0,       4096,     true,  1",
      "write too big,      1, 0,       33554433, false, 75",
      "zeroes past end,    6, 0,       1048577,  false, 28",
      "zeroes read-only,   6, 0,       1,        true,  1",
      "trim past end,      4, 1048575, 2,        false, 22",
      "trim whole disk,    4, 0,       1048576,  false, 0",
      "flush,              3, 0,       0,        true,  0",
      "disc,               2, 0,       0,        false, 0",
      "cache unsupported,  5, 0,       4096,     false, 22",
      "block status,       7, 0,       4096,     false, 22",
      "unknown command,    99, 0,      0,        false, 22",
  })
  void table(String what, int type, long offset, long length, boolean readOnly, int errno) {
    NbdRequest r = new NbdRequest(0, type, 1, offset, length, null, false);
    assertEquals(errno, RequestCheck.errno(r, SIZE, readOnly), what);
  }
}

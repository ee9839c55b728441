package io.strata.s3.body;

/**
 * crc(A || B) from crc(A), crc(B) and |B|, for reflected CRCs whose initial value and final xor
 * are all ones (CRC32, CRC32C, CRC-64/NVME): zlib's crc32_combine, generalised to 64-bit width.
 * Multipart uploads of type FULL_OBJECT get their whole-object CRC this way, without re-reading data.
 */
public final class CrcCombine {
  public static final long CRC32_POLY = 0xEDB88320L;
  public static final long CRC32C_POLY = 0x82F63B78L;
  public static final long CRC64NVME_POLY = 0x9A6C9329AC4BC9B5L;

  private CrcCombine() {}

  public static long combine(long crc1, long crc2, long len2, long reflectedPoly, int width) {
    if (len2 <= 0) {
      return crc1;
    }
    long[] even = new long[width];
    long[] odd = new long[width];
    odd[0] = reflectedPoly;
    long row = 1;
    for (int n = 1; n < width; n++) {
      odd[n] = row;
      row <<= 1;
    }
    square(even, odd);
    square(odd, even);
    long c = crc1;
    long len = len2;
    do {
      square(even, odd);
      if ((len & 1) != 0) {
        c = times(even, c);
      }
      len >>= 1;
      if (len == 0) {
        break;
      }
      square(odd, even);
      if ((len & 1) != 0) {
        c = times(odd, c);
      }
      len >>= 1;
    } while (len != 0);
    return c ^ crc2;
  }

  private static long times(long[] mat, long vec) {
    long sum = 0;
    for (int i = 0; vec != 0; i++, vec >>>= 1) {
      if ((vec & 1) != 0) {
        sum ^= mat[i];
      }
    }
    return sum;
  }

  private static void square(long[] square, long[] mat) {
    for (int n = 0; n < mat.length; n++) {
      square[n] = times(mat, mat[n]);
    }
  }
}

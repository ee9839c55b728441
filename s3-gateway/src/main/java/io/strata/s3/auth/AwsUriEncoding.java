package io.strata.s3.auth;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * SigV4's URI encoding: every byte except A-Z a-z 0-9 - _ . ~ as %XX (upper case), and
 * percent-decoding of what clients send. We decode then re-encode rather than trusting the raw
 * form, so two spellings of the same path sign the same way.
 */
public final class AwsUriEncoding {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private AwsUriEncoding() {}

  public static String encode(String s, boolean keepSlash) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/')) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return sb.toString();
  }

  /** Percent-decodes {@code s} as UTF-8; '+' stays '+' (AWS clients encode spaces as %20). */
  public static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "bad percent-encoding in " + s);
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "bad percent-encoding in " + s);
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}

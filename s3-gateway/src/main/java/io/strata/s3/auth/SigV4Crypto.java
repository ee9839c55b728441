package io.strata.s3.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The hash and HMAC primitives of Signature Version 4; pure functions, no state. */
public final class SigV4Crypto {
  public static final String ALGORITHM = "AWS4-HMAC-SHA256";
  public static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final HexFormat HEX = HexFormat.of();

  private SigV4Crypto() {}

  /** Per-thread instances: the JCA provider lookup behind getInstance costs more than hashing a request. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(SigV4Crypto::sha256);
  private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without HmacSHA256", e);
    }
  });

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }

  public static String sha256Hex(byte[] data) {
    MessageDigest md = SHA256.get();
    md.reset();
    return HEX.formatHex(md.digest(data));
  }

  public static String sha256Hex(String s) {
    return sha256Hex(s.getBytes(StandardCharsets.UTF_8));
  }

  public static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  public static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = HMAC.get();
      mac.init(new SecretKeySpec(key, "HmacSHA256"));  // init resets whatever a failed use left
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 refused its key", e);
    }
  }

  /** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request"). */
  public static byte[] signingKey(String secret, String date, String region, String service) {
    byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    k = hmac(k, region);
    k = hmac(k, service);
    return hmac(k, "aws4_request");
  }

  public static String signature(byte[] signingKey, String stringToSign) {
    return hex(hmac(signingKey, stringToSign));
  }

  public static String stringToSign(String amzDate, String scope, String canonicalRequest) {
    return ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequest);
  }

  /** Compares signatures in time independent of where they first differ. */
  public static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }
}

package io.strata.s3.body;

import io.netty.buffer.ByteBuf;
import io.strata.s3.auth.SigV4Crypto;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * The digests of one request payload: MD5 always (it is the ETag), plus whatever the client
 * asked us to verify: the signed SHA-256, Content-MD5, and one {@code x-amz-checksum-*} value
 * given as a header or as a trailer. {@link #verify} runs before anything is committed.
 */
public final class PayloadChecks {
  public static final String[] CHECKSUM_ALGORITHMS = {"crc32", "crc32c", "crc64nvme", "sha1", "sha256"};

  private final MessageDigest md5 = newDigest("MD5");
  private final MessageDigest sha256;
  private final String expectedSha256Hex;
  private final String expectedMd5Base64;
  private final String checksumAlgorithm;   // lower case, null when none
  private final String checksumFromHeader;  // null when it comes as a trailer
  private final Checksum crc;
  private final MessageDigest checksumDigest;
  private byte[] md5Result;
  private String checksumValue;

  /**
   * @param expectedSha256Hex the signed payload hash, null when unsigned
   * @param headers lower-case request headers' first values
   */
  public PayloadChecks(String expectedSha256Hex, Map<String, String> headers) {
    this.expectedSha256Hex = expectedSha256Hex;
    this.sha256 = expectedSha256Hex == null ? null : SigV4Crypto.sha256();
    this.expectedMd5Base64 = headers.get("content-md5");
    String algo = null;
    String value = null;
    for (String a : CHECKSUM_ALGORITHMS) {
      String v = headers.get("x-amz-checksum-" + a);
      if (v != null) {
        algo = a;
        value = v;
      }
    }
    String trailer = headers.get("x-amz-trailer");
    if (algo == null && trailer != null && trailer.toLowerCase(Locale.ROOT).startsWith("x-amz-checksum-")) {
      algo = trailer.toLowerCase(Locale.ROOT).substring("x-amz-checksum-".length());
      if (!java.util.List.of(CHECKSUM_ALGORITHMS).contains(algo)) {
        throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "unsupported trailer " + trailer);
      }
    }
    this.checksumAlgorithm = algo;
    this.checksumFromHeader = value;
    this.crc = newCrc(algo);
    this.checksumDigest = "sha1".equals(algo) ? newDigest("SHA-1") : "sha256".equals(algo) ? SigV4Crypto.sha256() : null;
    if (expectedMd5Base64 != null) {
      decodeBase64(expectedMd5Base64, 16, S3ErrorCode.INVALID_DIGEST);
    }
  }

  public void update(ByteBuf b) {
    ByteBuffer nio = b.nioBuffer();
    md5.update(nio.duplicate());
    if (sha256 != null) {
      sha256.update(nio.duplicate());
    }
    if (crc != null) {
      crc.update(nio.duplicate());
    }
    if (checksumDigest != null) {
      checksumDigest.update(nio.duplicate());
    }
  }

  /** Finishes the digests and compares them; {@code trailers} may be empty. */
  public void verify(Map<String, String> trailers) {
    md5Result = md5.digest();
    if (sha256 != null && !SigV4Crypto.hex(sha256.digest()).equals(expectedSha256Hex)) {
      throw new S3Exception(S3ErrorCode.CONTENT_SHA256_MISMATCH);
    }
    if (expectedMd5Base64 != null && !MessageDigest.isEqual(md5Result,
        decodeBase64(expectedMd5Base64, 16, S3ErrorCode.INVALID_DIGEST))) {
      throw new S3Exception(S3ErrorCode.BAD_DIGEST);
    }
    if (checksumAlgorithm == null) {
      return;
    }
    String expected = checksumFromHeader != null ? checksumFromHeader : trailers.get("x-amz-checksum-" + checksumAlgorithm);
    if (expected == null) {
      throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "x-amz-checksum-" + checksumAlgorithm + " trailer missing");
    }
    byte[] actual = crc instanceof Crc64Nvme c64 ? ByteBuffer.allocate(8).putLong(c64.crc()).array()
        : crc != null ? ByteBuffer.allocate(4).putInt((int) crc.getValue()).array() : checksumDigest.digest();
    checksumValue = Base64.getEncoder().encodeToString(actual);
    if (!checksumValue.equals(expected)) {
      throw new S3Exception(S3ErrorCode.BAD_DIGEST, "Value for x-amz-checksum-" + checksumAlgorithm
          + " header is invalid (computed " + checksumValue + ")");
    }
  }

  /** A fresh CRC for a checksum algorithm name, or null when it is a digest (or none). */
  public static Checksum newCrc(String algo) {
    if (algo == null) {
      return null;
    }
    return switch (algo) {
      case "crc32" -> new CRC32();
      case "crc32c" -> new CRC32C();
      case "crc64nvme" -> new Crc64Nvme();
      default -> null;
    };
  }

  /** Binary MD5 of the payload; valid after {@link #verify}. */
  public byte[] md5() {
    return md5Result;
  }

  /** Header name and value of the verified checksum, or null. */
  public Map.Entry<String, String> verifiedChecksum() {
    return checksumValue == null ? null : Map.entry("x-amz-checksum-" + checksumAlgorithm, checksumValue);
  }

  private static byte[] decodeBase64(String s, int length, S3ErrorCode error) {
    try {
      byte[] b = Base64.getDecoder().decode(s.trim());
      if (b.length != length) {
        throw new S3Exception(error);
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new S3Exception(error);
    }
  }

  private static MessageDigest newDigest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without " + name, e);
    }
  }
}

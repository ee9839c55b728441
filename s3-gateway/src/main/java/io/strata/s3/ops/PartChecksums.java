package io.strata.s3.ops;

import io.strata.s3.auth.SigV4Crypto;
import io.strata.s3.body.CrcCombine;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.PartRecord;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

/**
 * The checksum of a completed multipart object. COMPOSITE: the algorithm over the concatenated
 * binary part checksums, then "-N" (what S3 returns for checksummed multipart uploads).
 * FULL_OBJECT (CRCs only): the whole object's CRC, combined from the part CRCs. Pure.
 */
final class PartChecksums {
  private PartChecksums() {}

  static ObjectRecord.Checksum of(String algorithm, String type, List<PartRecord> parts) {
    if (algorithm.isEmpty()) {
      return ObjectRecord.Checksum.NONE;
    }
    for (PartRecord p : parts) {
      if (!p.checksum().algorithm().equals(algorithm)) {
        throw new S3Exception(S3ErrorCode.INVALID_PART, "part " + p.partNumber() + " has no " + algorithm + " checksum");
      }
    }
    if (type.equals("FULL_OBJECT")) {
      return new ObjectRecord.Checksum(algorithm, fullObject(algorithm, parts), type);
    }
    MessageDigest d = algorithm.startsWith("sha") ? digest(algorithm) : null;
    java.util.zip.Checksum crc = d == null ? io.strata.s3.body.PayloadChecks.newCrc(algorithm) : null;
    for (PartRecord p : parts) {
      byte[] raw = Base64.getDecoder().decode(p.checksum().value());
      if (d != null) {
        d.update(raw);
      } else {
        crc.update(raw, 0, raw.length);
      }
    }
    byte[] out = d != null ? d.digest() : algorithm.equals("crc64nvme")
        ? ByteBuffer.allocate(8).putLong(crc.getValue()).array()
        : ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
    return new ObjectRecord.Checksum(algorithm, Base64.getEncoder().encodeToString(out) + "-" + parts.size(), type);
  }

  private static String fullObject(String algorithm, List<PartRecord> parts) {
    long poly;
    int width;
    switch (algorithm) {
      case "crc32" -> { poly = CrcCombine.CRC32_POLY; width = 32; }
      case "crc32c" -> { poly = CrcCombine.CRC32C_POLY; width = 32; }
      case "crc64nvme" -> { poly = CrcCombine.CRC64NVME_POLY; width = 64; }
      default -> throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "FULL_OBJECT checksums need a CRC algorithm");
    }
    long crc = 0;
    boolean first = true;
    for (PartRecord p : parts) {
      ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(p.checksum().value()));
      long part = width == 64 ? b.getLong() : b.getInt() & 0xffffffffL;
      crc = first ? part : CrcCombine.combine(crc, part, p.size(), poly, width);
      first = false;
    }
    byte[] out = width == 64 ? ByteBuffer.allocate(8).putLong(crc).array() : ByteBuffer.allocate(4).putInt((int) crc).array();
    return Base64.getEncoder().encodeToString(out);
  }

  private static MessageDigest digest(String algorithm) {
    if (algorithm.equals("sha256")) {
      return SigV4Crypto.sha256();
    }
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

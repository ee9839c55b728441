package io.strata.s3.store;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Version ids and seqs. A seq orders the versions of one key (newest highest): the wall clock in
 * 1/4096 ms, and always above the key's previous newest, so a lagging clock cannot reorder a
 * key's history. A version id is the seq in 16 hex digits plus 8 random characters, so GET by
 * version id finds the version's key without an index.
 */
public final class VersionIds {
  static final int ID_LENGTH = 24;
  private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuv";

  private VersionIds() {}

  static long nextSeq(long previousSeq, long nowMillis) {
    return Math.max(nowMillis << 12, previousSeq + 1);
  }

  static String newId(long seq) {
    StringBuilder sb = new StringBuilder(ID_LENGTH).append(String.format("%016x", seq));
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int i = 0; i < ID_LENGTH - 16; i++) {
      sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }

  /** The seq inside a version id; InvalidArgument for anything we could not have issued. */
  public static long seqOf(String versionId) {
    if (versionId.length() != ID_LENGTH) {
      throw invalid();
    }
    try {
      long seq = Long.parseUnsignedLong(versionId.substring(0, 16), 16);
      if (seq <= 0) {
        throw invalid();
      }
      return seq;
    } catch (NumberFormatException e) {
      throw invalid();
    }
  }

  private static S3Exception invalid() {
    return new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid version id specified");
  }
}

package io.strata.s3.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Metadata namespaces and key layouts. Object keys are {@code bucket/objectKey} so a listing is
 * one range scan in S3's own order (UTF-8 byte order); bucket names cannot hold '/', so the
 * separator is unambiguous. 0xFF never occurs in UTF-8, which makes {@code prefix + 0xFF} a
 * "skip everything under this prefix" cursor for delimiter listings.
 */
public final class S3Keys {
  public static final String BUCKETS = "s3.buckets";
  public static final String OBJECTS = "s3.objects";
  public static final String UPLOADS = "s3.uploads";
  public static final String PARTS = "s3.parts";
  /** Every version of every object: {@code bucket/key NUL hex16(MAX - seq)}, newest first. */
  public static final String VERSIONS = "s3.versions";
  /** {@code uploadId -> bucket/key}: lets the collector tell orphaned part records from live ones. */
  public static final String UPLOAD_IDS = "s3.uploadids";
  /** Data that is no longer referenced and must be deleted: written atomically with the change. */
  public static final String GC = "s3.gc";
  /** Data being written that no object references yet: removed by the commit, swept if orphaned. */
  public static final String INTENTS = "s3.intents";

  private S3Keys() {}

  public static byte[] bucket(String bucket) {
    return utf8(bucket);
  }

  public static byte[] objectPrefix(String bucket) {
    return utf8(bucket + "/");
  }

  public static byte[] object(String bucket, String key) {
    return utf8(bucket + "/" + key);
  }

  /** Uploads sort by key then upload id; NUL separates them. */
  public static byte[] upload(String bucket, String key, String uploadId) {
    return utf8(bucket + "/" + key + "\0" + uploadId);
  }

  /** The key of one version; versions of a key sort newest first. */
  public static byte[] version(String bucket, String key, long seq) {
    return utf8(bucket + "/" + key + "\0" + String.format("%016x", Long.MAX_VALUE - seq));
  }

  /** Prefix of every version of exactly this key. */
  public static byte[] versionPrefix(String bucket, String key) {
    return utf8(bucket + "/" + key + "\0");
  }

  /** The seq encoded in a version key (its last 16 hex digits). */
  public static long seqOfVersionKey(byte[] versionKey) {
    String s = new String(versionKey, versionKey.length - 16, 16, StandardCharsets.US_ASCII);
    return Long.MAX_VALUE - Long.parseUnsignedLong(s, 16);
  }

  public static byte[] partPrefix(String uploadId) {
    return utf8(uploadId + "/");
  }

  public static byte[] part(String uploadId, int partNumber) {
    return utf8(String.format("%s/%05d", uploadId, partNumber));
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code key + 0xFF}: a scan starting after this skips every key that has {@code key} as prefix. */
  public static byte[] skipPrefix(byte[] key) {
    byte[] out = Arrays.copyOf(key, key.length + 1);
    out[key.length] = (byte) 0xff;
    return out;
  }
}

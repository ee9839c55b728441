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

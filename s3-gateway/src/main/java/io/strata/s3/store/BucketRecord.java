package io.strata.s3.store;

import java.util.Map;

/**
 * A bucket: who owns it, when it was made, and its configuration (versioning, policy, tags,
 * CORS). {@code deleting} is set by the first step of DeleteBucket so that no object commit can
 * slip in between its emptiness check and the delete. Object commits condition on this record's
 * version, so a configuration change makes concurrent commits re-read it.
 *
 * @param policyJson the bucket policy as the owner sent it, "" for none
 * @param corsXml the CORS configuration as sent, "" for none
 */
public record BucketRecord(String owner, long createdMillis, boolean deleting, Versioning versioning,
                           String policyJson, Map<String, String> tags, String corsXml) {
  /** S3's three versioning states; a bucket never returns to UNVERSIONED once enabled. */
  public enum Versioning { UNVERSIONED, ENABLED, SUSPENDED }

  public static BucketRecord create(String owner, long nowMillis) {
    return new BucketRecord(owner, nowMillis, false, Versioning.UNVERSIONED, "", Map.of(), "");
  }

  public BucketRecord withDeleting(boolean d) {
    return new BucketRecord(owner, createdMillis, d, versioning, policyJson, tags, corsXml);
  }

  public BucketRecord withVersioning(Versioning v) {
    return new BucketRecord(owner, createdMillis, deleting, v, policyJson, tags, corsXml);
  }

  public BucketRecord withPolicy(String p) {
    return new BucketRecord(owner, createdMillis, deleting, versioning, p, tags, corsXml);
  }

  public BucketRecord withTags(Map<String, String> t) {
    return new BucketRecord(owner, createdMillis, deleting, versioning, policyJson, Map.copyOf(t), corsXml);
  }

  public BucketRecord withCors(String c) {
    return new BucketRecord(owner, createdMillis, deleting, versioning, policyJson, tags, c);
  }

  public byte[] encode() {
    return RecordCodec.encode(RecordCodec.FORMAT_2, out -> {
      out.writeUTF(owner);
      out.writeLong(createdMillis);
      out.writeBoolean(deleting);
      out.writeByte(versioning.ordinal());
      RecordCodec.writeLongString(out, policyJson);
      RecordCodec.writeMap(out, tags);
      RecordCodec.writeLongString(out, corsXml);
    });
  }

  public static BucketRecord decode(byte[] b) {
    return RecordCodec.decode(b, (format, in) -> {
      String owner = in.readUTF();
      long created = in.readLong();
      boolean deleting = in.readBoolean();
      if (format == RecordCodec.FORMAT_1) {
        return new BucketRecord(owner, created, deleting, Versioning.UNVERSIONED, "", Map.of(), "");
      }
      int v = in.readByte();
      if (v < 0 || v >= Versioning.values().length) {
        throw new java.io.IOException("bad versioning state " + v);
      }
      return new BucketRecord(owner, created, deleting, Versioning.values()[v], RecordCodec.readLongString(in),
          RecordCodec.readMap(in), RecordCodec.readLongString(in));
    });
  }
}

package io.strata.s3.store;

/**
 * A bucket: who owns it and when it was made. {@code deleting} is set by the first step of
 * DeleteBucket so that no object commit can slip in between its emptiness check and the delete.
 */
public record BucketRecord(String owner, long createdMillis, boolean deleting) {
  public byte[] encode() {
    return RecordCodec.encode(out -> {
      out.writeUTF(owner);
      out.writeLong(createdMillis);
      out.writeBoolean(deleting);
    });
  }

  public static BucketRecord decode(byte[] b) {
    return RecordCodec.decode(b, in -> new BucketRecord(in.readUTF(), in.readLong(), in.readBoolean()));
  }
}

package io.strata.s3.store;

/** One uploaded part: its data and its MD5 (hex, the part's ETag). */
public record PartRecord(int partNumber, String dataId, long size, String md5Hex, long lastModifiedMillis) {
  public byte[] encode() {
    return RecordCodec.encode(out -> {
      out.writeInt(partNumber);
      out.writeUTF(dataId);
      out.writeLong(size);
      out.writeUTF(md5Hex);
      out.writeLong(lastModifiedMillis);
    });
  }

  public static PartRecord decode(byte[] b) {
    return RecordCodec.decode(b, in -> new PartRecord(in.readInt(), in.readUTF(), in.readLong(), in.readUTF(), in.readLong()));
  }

  public Segment segment() {
    return new Segment(dataId, size);
  }
}

package io.strata.s3.store;

/** One uploaded part: its data, its MD5 (hex, the part's ETag) and the checksum the client sent. */
public record PartRecord(int partNumber, String dataId, long size, String md5Hex, long lastModifiedMillis,
                         ObjectRecord.Checksum checksum) {
  public byte[] encode() {
    return RecordCodec.encode(RecordCodec.FORMAT_2, out -> {
      out.writeInt(partNumber);
      out.writeUTF(dataId);
      out.writeLong(size);
      out.writeUTF(md5Hex);
      out.writeLong(lastModifiedMillis);
      out.writeUTF(checksum.algorithm());
      out.writeUTF(checksum.value());
    });
  }

  public static PartRecord decode(byte[] b) {
    return RecordCodec.decode(b, (f, in) -> new PartRecord(in.readInt(), in.readUTF(), in.readLong(), in.readUTF(),
        in.readLong(), f == RecordCodec.FORMAT_1 ? ObjectRecord.Checksum.NONE
            : new ObjectRecord.Checksum(in.readUTF(), in.readUTF(), "")));
  }

  public Segment segment() {
    return new Segment(dataId, size);
  }
}

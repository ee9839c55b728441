package io.strata.s3.store;

import java.util.List;
import java.util.Map;

/**
 * One object's metadata: its size, ETag, headers and where its bytes live. A simple PUT has one
 * segment; a completed multipart upload has one segment per part, in order.
 */
public record ObjectRecord(long size, String etag, String contentType, long lastModifiedMillis,
                           Map<String, String> userMetadata, int chunkBytes, List<Segment> segments) {

  public byte[] encode() {
    return RecordCodec.encode(out -> {
      out.writeLong(size);
      out.writeUTF(etag);
      out.writeUTF(contentType);
      out.writeLong(lastModifiedMillis);
      RecordCodec.writeMap(out, userMetadata);
      out.writeInt(chunkBytes);
      RecordCodec.writeSegments(out, segments);
    });
  }

  public static ObjectRecord decode(byte[] b) {
    return RecordCodec.decode(b, in -> new ObjectRecord(in.readLong(), in.readUTF(), in.readUTF(),
        in.readLong(), RecordCodec.readMap(in), in.readInt(), RecordCodec.readSegments(in)));
  }
}

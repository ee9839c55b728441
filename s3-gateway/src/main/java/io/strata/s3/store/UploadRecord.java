package io.strata.s3.store;

import java.util.Map;

/** A multipart upload in progress: what the final object's headers will be. */
public record UploadRecord(String owner, long initiatedMillis, String contentType, Map<String, String> userMetadata) {
  public byte[] encode() {
    return RecordCodec.encode(out -> {
      out.writeUTF(owner);
      out.writeLong(initiatedMillis);
      out.writeUTF(contentType);
      RecordCodec.writeMap(out, userMetadata);
    });
  }

  public static UploadRecord decode(byte[] b) {
    return RecordCodec.decode(b, in -> new UploadRecord(in.readUTF(), in.readLong(), in.readUTF(), RecordCodec.readMap(in)));
  }
}

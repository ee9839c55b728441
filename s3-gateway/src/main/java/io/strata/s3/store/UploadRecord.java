package io.strata.s3.store;

import java.util.Map;

/**
 * A multipart upload in progress: what the final object's headers, tags and checksum kind will be.
 *
 * @param checksumAlgorithm lower-case algorithm from x-amz-checksum-algorithm, "" for none
 * @param checksumType COMPOSITE or FULL_OBJECT
 * @param completing set by CompleteMultipartUpload before it reads the part list: no part commits after that
 */
public record UploadRecord(String owner, long initiatedMillis, Map<String, String> headers,
                           Map<String, String> userMetadata, Map<String, String> tags, String checksumAlgorithm,
                           String checksumType, boolean completing) {
  public UploadRecord withCompleting(boolean c) {
    return new UploadRecord(owner, initiatedMillis, headers, userMetadata, tags, checksumAlgorithm, checksumType, c);
  }

  public byte[] encode() {
    return RecordCodec.encode(RecordCodec.FORMAT_2, out -> {
      out.writeUTF(owner);
      out.writeLong(initiatedMillis);
      RecordCodec.writeMap(out, headers);
      RecordCodec.writeMap(out, userMetadata);
      RecordCodec.writeMap(out, tags);
      out.writeUTF(checksumAlgorithm);
      out.writeUTF(checksumType);
      out.writeBoolean(completing);
    });
  }

  public static UploadRecord decode(byte[] b) {
    return RecordCodec.decode(b, (f, in) -> {
      String owner = in.readUTF();
      long initiated = in.readLong();
      if (f == RecordCodec.FORMAT_1) {
        return new UploadRecord(owner, initiated, Map.of("content-type", in.readUTF()), RecordCodec.readMap(in),
            Map.of(), "", "", false);
      }
      return new UploadRecord(owner, initiated, RecordCodec.readMap(in), RecordCodec.readMap(in),
          RecordCodec.readMap(in), in.readUTF(), in.readUTF(), in.readBoolean());
    });
  }
}

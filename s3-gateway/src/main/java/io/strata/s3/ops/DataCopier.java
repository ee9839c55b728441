package io.strata.s3.ops;

import io.netty.buffer.Unpooled;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.store.ChunkedDataWriter;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.ObjectStore;
import java.security.MessageDigest;

/**
 * Server-side copies (CopyObject, UploadPartCopy): re-chunks a byte range of a source version
 * into new data, durably, computing the MD5 on the way. Data is never shared between objects,
 * so the garbage collector can free each object's data alone. Blocking (worker pool); memory is
 * bounded by the chunk writer's in-flight limit.
 */
final class DataCopier {
  /** @param inline the copied bytes when the copy is an inline object (dataId is then null) */
  record Copy(String dataId, long length, byte[] md5, byte[] inline) {}

  private final Services s;

  DataCopier(Services s) {
    this.s = s;
  }

  Copy copy(ObjectRecord source, long start, long length) {
    String dataId = ObjectStore.newDataId();
    ChunkedDataWriter writer = new ChunkedDataWriter(s.chunks(), s.poolId(), dataId,
        s.store().writeIntent(dataId, length), length, s.budget());
    MessageDigest md5 = ObjectWriteOps.md5();
    try {
      if (source.inline() != null) {
        md5.update(source.inline(), (int) start, (int) length);
        writer.write(Unpooled.wrappedBuffer(source.inline(), (int) start, (int) length));
      }
      for (ObjectStreamer.Piece p : ObjectStreamer.plan(source, start, length)) {
        var data = s.chunks().read(s.chunks().chunkId(s.poolId(), p.objectId(), p.index()), p.offset(), p.length())
            .join().filter(d -> d.size() == p.length())
            .orElseThrow(() -> new S3Exception(S3ErrorCode.INTERNAL_ERROR, "source chunk missing"));
        md5.update(data.asReadOnlyByteBuffer());
        writer.ready().join();
        writer.write(Unpooled.wrappedBuffer(data.asReadOnlyByteBuffer()));
      }
      writer.finish().join();
    } catch (RuntimeException e) {
      writer.drain().join();
      s.store().discard(dataId, length);
      throw e;
    }
    return new Copy(dataId, length, md5.digest(), null);
  }

  /** A copy of a whole small object, kept inline: no data is written anywhere but the metadata. */
  Copy inlineCopy(ObjectRecord source) {
    byte[] data;
    if (source.inline() != null) {
      data = source.inline();
    } else {
      data = new byte[(int) source.size()];
      int at = 0;
      for (ObjectStreamer.Piece p : ObjectStreamer.plan(source, 0, source.size())) {
        var d = s.chunks().read(s.chunks().chunkId(s.poolId(), p.objectId(), p.index()), p.offset(), p.length())
            .join().filter(x -> x.size() == p.length())
            .orElseThrow(() -> new S3Exception(S3ErrorCode.INTERNAL_ERROR, "source chunk missing"));
        d.copyTo(data, at);
        at += p.length();
      }
    }
    MessageDigest md5 = ObjectWriteOps.md5();
    md5.update(data);
    return new Copy(null, data.length, md5.digest(), data);
  }

  void discard(Copy c) {
    if (c.dataId() != null) {
      s.store().discard(c.dataId(), c.length());
    }
  }

  static int chunkBytes() {
    return ChunkedDataWriter.CHUNK_BYTES;
  }
}

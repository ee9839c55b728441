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
  record Copy(String dataId, long length, byte[] md5) {}

  private final Services s;

  DataCopier(Services s) {
    this.s = s;
  }

  Copy copy(ObjectRecord source, long start, long length) {
    String dataId = ObjectStore.newDataId();
    ChunkedDataWriter writer = new ChunkedDataWriter(s.chunks(), s.poolId(), dataId,
        s.store().writeIntent(dataId, length), length);
    MessageDigest md5 = ObjectWriteOps.md5();
    try {
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
    return new Copy(dataId, length, md5.digest());
  }

  void discard(Copy c) {
    s.store().discard(c.dataId(), c.length());
  }

  static int chunkBytes() {
    return ChunkedDataWriter.CHUNK_BYTES;
  }
}

package io.strata.s3.ops;

import io.netty.buffer.Unpooled;
import io.strata.s3.auth.Authenticated;
import io.strata.s3.auth.AwsUriEncoding;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.ChunkedDataWriter;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.ObjectStore;
import io.strata.s3.store.Segment;
import io.strata.s3.store.Versioned;
import io.strata.s3.xml.XmlWriter;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** PutObject, DeleteObject and CopyObject. */
final class ObjectWriteOps {
  private final Services s;

  ObjectWriteOps(Services s) {
    this.s = s;
  }

  /** The body length the client announced, for limits and for the GC bound. */
  static long declaredLength(S3Request r, long maxObjectBytes) {
    String decoded = r.headerValue("x-amz-decoded-content-length");
    String length = decoded != null ? decoded : r.headerValue("content-length");
    if (length == null) {
      if ("chunked".equalsIgnoreCase(r.headerValue("transfer-encoding"))) {
        return maxObjectBytes;
      }
      throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
    }
    long n;
    try {
      n = Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "bad content length");
    }
    if (n < 0) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "bad content length");
    }
    if (n > maxObjectBytes) {
      throw new S3Exception(S3ErrorCode.ENTITY_TOO_LARGE);
    }
    return n;
  }

  Operation put(S3Request r, Authenticated who) {
    s.store().requireBucket(r.bucket(), who.userName());
    long declared = declaredLength(r, s.config().maxObjectBytes());
    Map<String, String> meta = ObjectHeaders.userMetadata(r);
    String contentType = ObjectHeaders.contentType(r);
    return new DataUpload(s, declared, (dataId, body) -> {
      String etag = HexFormat.of().formatHex(body.md5());
      ObjectRecord rec = new ObjectRecord(body.length(), etag, contentType, System.currentTimeMillis(), meta,
          ChunkedDataWriter.CHUNK_BYTES, body.length() == 0 ? List.of() : List.of(new Segment(dataId, body.length())));
      s.store().replaceObject(r.bucket(), r.key(), rec, ObjectStore.Change.consuming(dataId));
      Reply reply = Reply.empty(200).header("ETag", ObjectHeaders.quoted(etag));
      if (body.checksum() != null) {
        reply.header(body.checksum().getKey(), body.checksum().getValue());
      }
      return reply;
    });
  }

  Operation delete(S3Request r, Authenticated who) {
    return new Blocking(s.workers(), () -> {
      s.store().requireBucket(r.bucket(), who.userName());
      s.store().replaceObject(r.bucket(), r.key(), null, ObjectStore.Change.none());
      return Reply.empty(204);
    });
  }

  Operation copy(S3Request r, Authenticated who) {
    return new Blocking(s.workers(), () -> {
      s.store().requireBucket(r.bucket(), who.userName());
      String[] src = copySource(r.headerValue("x-amz-copy-source"));
      s.store().requireBucket(src[0], who.userName());
      ObjectRecord source = s.store().object(src[0], src[1]).map(Versioned::value)
          .orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_KEY));
      boolean replace = "REPLACE".equalsIgnoreCase(r.headerValue("x-amz-metadata-directive"));
      Map<String, String> meta = replace ? ObjectHeaders.userMetadata(r) : source.userMetadata();
      String contentType = replace ? ObjectHeaders.contentType(r) : source.contentType();
      Copied c = copyData(source, meta, contentType);
      ObjectRecord copy = c.record();
      try {
        s.store().replaceObject(r.bucket(), r.key(), copy, ObjectStore.Change.consuming(c.dataId()));
      } catch (S3Exception e) {
        s.store().discard(c.dataId(), source.size());
        throw e;
      }
      return Reply.xml(200, XmlWriter.root("CopyObjectResult")
          .elem("LastModified", ObjectHeaders.iso(copy.lastModifiedMillis()))
          .elem("ETag", ObjectHeaders.quoted(copy.etag())).toBytes());
    });
  }

  private record Copied(ObjectRecord record, String dataId) {}

  /** Re-chunks the source's bytes into one new segment, durably, computing the MD5 on the way. */
  private Copied copyData(ObjectRecord source, Map<String, String> meta, String contentType) {
    String dataId = ObjectStore.newDataId();
    ChunkedDataWriter writer = new ChunkedDataWriter(s.chunks(), s.poolId(), dataId,
        s.store().writeIntent(dataId, source.size()), source.size());
    MessageDigest md5 = md5();
    try {
      for (ObjectStreamer.Piece p : ObjectStreamer.plan(source, 0, source.size())) {
        var data = s.chunks().read(s.chunks().chunkId(s.poolId(), p.objectId(), p.index()), p.offset(), p.length())
            .join().orElseThrow(() -> new S3Exception(S3ErrorCode.INTERNAL_ERROR, "source chunk missing"));
        md5.update(data.asReadOnlyByteBuffer());
        writer.ready().join();
        writer.write(Unpooled.wrappedBuffer(data.asReadOnlyByteBuffer()));
      }
      writer.finish().join();
    } catch (RuntimeException e) {
      writer.drain().join();
      s.store().discard(dataId, source.size());
      throw e;
    }
    String etag = source.segments().size() > 1 ? HexFormat.of().formatHex(md5.digest()) : source.etag();
    return new Copied(new ObjectRecord(source.size(), etag, contentType, System.currentTimeMillis(), meta,
        ChunkedDataWriter.CHUNK_BYTES, source.size() == 0 ? List.of() : List.of(new Segment(dataId, source.size()))), dataId);
  }

  /** {@code [bucket, key]} from {@code /bucket/key} or {@code bucket/key}, URL-decoded, versionId dropped. */
  static String[] copySource(String header) {
    if (header == null || header.isEmpty()) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "x-amz-copy-source is empty");
    }
    String h = header;
    int q = h.indexOf('?');
    if (q >= 0) {
      h = h.substring(0, q);
    }
    h = AwsUriEncoding.decode(h);
    if (h.startsWith("/")) {
      h = h.substring(1);
    }
    int slash = h.indexOf('/');
    if (slash <= 0 || slash == h.length() - 1) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "x-amz-copy-source must be bucket/key");
    }
    return new String[] {h.substring(0, slash), h.substring(slash + 1)};
  }

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

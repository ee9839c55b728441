package io.strata.s3.ops;

import io.strata.s3.auth.Authenticated;
import io.strata.s3.auth.AwsUriEncoding;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.BodyResult;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.policy.S3Actions;
import io.strata.s3.store.BucketRecord;
import io.strata.s3.store.ChunkedDataWriter;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.ObjectStore;
import io.strata.s3.store.ObjectVersions;
import io.strata.s3.store.Segment;
import io.strata.s3.xml.XmlWriter;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** PutObject, DeleteObject and CopyObject. */
final class ObjectWriteOps {
  private final Services s;
  private final DataCopier copier;

  ObjectWriteOps(Services s) {
    this.s = s;
    this.copier = new DataCopier(s);
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

  static ObjectRecord.Checksum checksum(BodyResult body) {
    if (body.checksum() == null) {
      return ObjectRecord.Checksum.NONE;
    }
    return new ObjectRecord.Checksum(body.checksum().getKey().substring("x-amz-checksum-".length()),
        body.checksum().getValue(), "FULL_OBJECT");
  }

  /** If-Match / If-None-Match on a write, checked against the head inside the commit's CAS loop. */
  static ObjectStore.Change conditional(S3Request r, ObjectStore.Change c) {
    String ifMatch = r.headerValue("if-match");
    String ifNoneMatch = r.headerValue("if-none-match");
    if (ifMatch == null && ifNoneMatch == null) {
      return c;
    }
    if (ifNoneMatch != null && !ifNoneMatch.trim().equals("*")) {
      throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED, "If-None-Match on writes only takes *");
    }
    return c.withHeadCheck(head -> {
      Optional<ObjectRecord> current = head.filter(h -> !h.deleteMarker());
      if (ifNoneMatch != null && current.isPresent()) {
        throw new S3Exception(S3ErrorCode.PRECONDITION_FAILED);
      }
      if (ifMatch != null) {
        ObjectRecord o = current.orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_KEY));
        if (!Preconditions.etagMatches(ifMatch, o.etag())) {
          throw new S3Exception(S3ErrorCode.PRECONDITION_FAILED);
        }
      }
    });
  }

  Operation put(S3Request r, Authenticated who) {
    BucketRecord b = s.authorize(r, who, S3Actions.PUT_OBJECT);
    long declared = declaredLength(r, s.config().maxObjectBytes());
    Map<String, String> meta = ObjectHeaders.userMetadata(r);
    Map<String, String> headers = ObjectHeaders.stored(r);
    Map<String, String> tags = Tagging.parseHeader(r.headerValue("x-amz-tagging"));
    String owner = who.isAnonymous() ? b.owner() : who.userName();
    boolean unknownLength = r.headerValue("x-amz-decoded-content-length") == null && r.headerValue("content-length") == null;
    if (declared <= ObjectRecord.INLINE_MAX_BYTES && !unknownLength) {
      return new InlineUpload(s.workers(), (int) declared, (data, body) -> {
        ObjectRecord rec = record(body, owner, headers, meta, tags, List.of()).withInline(data);
        return putReply(b, body, s.store().versions().put(r.bucket(), r.key(), rec, conditional(r, ObjectStore.Change.none())));
      });
    }
    return new DataUpload(s, declared, (dataId, body) -> {
      ObjectRecord rec = record(body, owner, headers, meta, tags,
          body.length() == 0 ? List.of() : List.of(new Segment(dataId, body.length())));
      return putReply(b, body, s.store().versions().put(r.bucket(), r.key(), rec,
          conditional(r, ObjectStore.Change.consuming(dataId))));
    });
  }

  private static ObjectRecord record(BodyResult body, String owner, Map<String, String> headers, Map<String, String> meta,
                                     Map<String, String> tags, List<Segment> segments) {
    return new ObjectRecord(body.length(), HexFormat.of().formatHex(body.md5()), System.currentTimeMillis(), owner,
        headers, meta, tags, checksum(body), ChunkedDataWriter.CHUNK_BYTES, segments, ObjectRecord.Version.LEGACY);
  }

  private static Reply putReply(BucketRecord b, BodyResult body, ObjectRecord stored) {
    Reply reply = Reply.empty(200).header("ETag", ObjectHeaders.quoted(stored.etag()));
    ObjectHeaders.versionHeader(reply, b, stored.versionId());
    if (body.checksum() != null) {
      reply.header(body.checksum().getKey(), body.checksum().getValue());
    }
    return reply;
  }

  Operation delete(S3Request r, Authenticated who) {
    String versionId = r.param("versionId");
    BucketRecord b = s.authorize(r, who, versionId == null ? S3Actions.DELETE_OBJECT : S3Actions.DELETE_OBJECT_VERSION);
    return new Blocking(s.workers(), () -> {
      ObjectVersions.DeleteResult d = versionId == null
          ? s.store().versions().delete(r.bucket(), r.key(), who.isAnonymous() ? b.owner() : who.userName())
          : s.store().versions().deleteVersion(r.bucket(), r.key(), versionId);
      Reply reply = Reply.empty(204);
      if (d.versionId() != null) {
        reply.header("x-amz-version-id", d.versionId());
      }
      if (d.deleteMarker()) {
        reply.header("x-amz-delete-marker", "true");
      }
      return reply;
    });
  }

  Operation copy(S3Request r, Authenticated who) {
    BucketRecord b = s.authorize(r, who, S3Actions.PUT_OBJECT);
    CopySource src = CopySource.parse(r.headerValue("x-amz-copy-source"));
    String owner = who.isAnonymous() ? b.owner() : who.userName();
    return new Blocking(s.workers(), () -> {
      ObjectRecord source = src.load(s, who, r);
      boolean replace = "REPLACE".equalsIgnoreCase(r.headerValue("x-amz-metadata-directive"));
      boolean replaceTags = "REPLACE".equalsIgnoreCase(r.headerValue("x-amz-tagging-directive"));
      if (!replace && src.bucket().equals(r.bucket()) && src.key().equals(r.key()) && src.versionId() == null) {
        throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "This copy request is illegal because it is trying to copy an "
            + "object to itself without changing the object's metadata, storage class, website redirect location or "
            + "encryption attributes.");
      }
      boolean inline = source.size() <= ObjectRecord.INLINE_MAX_BYTES;
      DataCopier.Copy c = inline ? copier.inlineCopy(source) : copier.copy(source, 0, source.size());
      String etag = source.segments().size() > 1 || source.etag().contains("-")
          ? HexFormat.of().formatHex(c.md5()) : source.etag();
      ObjectRecord copy = new ObjectRecord(source.size(), etag, System.currentTimeMillis(), owner,
          replace ? ObjectHeaders.stored(r) : source.headers(), replace ? ObjectHeaders.userMetadata(r) : source.userMetadata(),
          replaceTags ? Tagging.parseHeader(r.headerValue("x-amz-tagging")) : source.tags(),
          source.checksum().type().equals("COMPOSITE") ? ObjectRecord.Checksum.NONE : source.checksum(),
          ChunkedDataWriter.CHUNK_BYTES, source.size() == 0 || inline ? List.of() : List.of(new Segment(c.dataId(), source.size())),
          ObjectRecord.Version.LEGACY, c.inline());
      ObjectRecord stored;
      try {
        stored = s.store().versions().put(r.bucket(), r.key(), copy,
            inline ? ObjectStore.Change.none() : ObjectStore.Change.consuming(c.dataId()));
      } catch (S3Exception e) {
        copier.discard(c);
        throw e;
      }
      Reply reply = Reply.xml(200, XmlWriter.root("CopyObjectResult")
          .elem("LastModified", ObjectHeaders.iso(stored.lastModifiedMillis()))
          .elem("ETag", ObjectHeaders.quoted(stored.etag())).toBytes());
      ObjectHeaders.versionHeader(reply, s.store().cachedBucket(r.bucket()).value(), stored.versionId());
      if (src.versionId() != null || !source.version().isNull()) {
        reply.header("x-amz-copy-source-version-id", source.versionId());
      }
      return reply;
    });
  }

  /** {@code x-amz-copy-source}: {@code [/]bucket/key[?versionId=V]}, URL-encoded. */
  record CopySource(String bucket, String key, String versionId) {
    static CopySource parse(String header) {
      if (header == null || header.isEmpty()) {
        throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "x-amz-copy-source is empty");
      }
      String h = header;
      String versionId = null;
      int q = h.indexOf('?');
      if (q >= 0) {
        String query = h.substring(q + 1);
        h = h.substring(0, q);
        if (query.startsWith("versionId=")) {
          versionId = AwsUriEncoding.decode(query.substring("versionId=".length()));
        }
      }
      h = AwsUriEncoding.decode(h);
      if (h.startsWith("/")) {
        h = h.substring(1);
      }
      int slash = h.indexOf('/');
      if (slash <= 0 || slash == h.length() - 1) {
        throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "x-amz-copy-source must be bucket/key");
      }
      return new CopySource(h.substring(0, slash), h.substring(slash + 1), versionId);
    }

    /** The source version, if {@code who} may read it and the copy-source conditions hold. */
    ObjectRecord load(Services s, Authenticated who, S3Request r) {
      s.authorize(bucket, key, who, versionId == null ? S3Actions.GET_OBJECT : S3Actions.GET_OBJECT_VERSION);
      ObjectRecord o = versionId == null
          ? s.store().object(bucket, key).map(v -> v.value()).orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_KEY))
          : s.store().version(bucket, key, versionId).orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_VERSION));
      if (o.deleteMarker()) {
        throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "The source of a copy request may not specifically refer to a delete marker by version id.");
      }
      Preconditions.check(r::headerValue, "x-amz-copy-source-", o.etag(), o.lastModifiedMillis(), false);
      return o;
    }
  }

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

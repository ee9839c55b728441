package io.strata.s3.ops;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetaException;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaStatus;
import io.strata.s3.auth.Authenticated;
import io.strata.s3.body.PayloadChecks;
import io.strata.s3.policy.S3Actions;
import io.strata.s3.store.BucketRecord;
import io.strata.s3.store.ObjectRecord;
import java.util.Map;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.ChunkedDataWriter;
import io.strata.s3.store.ObjectStore;
import io.strata.s3.store.PartRecord;
import io.strata.s3.store.RecordCodec;
import io.strata.s3.store.S3Keys;
import io.strata.s3.store.Segment;
import io.strata.s3.store.UploadRecord;
import io.strata.s3.store.UploadStore;
import io.strata.s3.store.Versioned;
import io.strata.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * CreateMultipartUpload, UploadPart and AbortMultipartUpload. An upload is a record under
 * {@code bucket/key\0uploadId}; each part a record under {@code uploadId/NNNNN} pointing at its
 * own data id. Replacing a part sends the old part's data to GC in the same transaction.
 */
final class MultipartOps {
  static final int MAX_PART_NUMBER = UploadStore.MAX_PART_NUMBER;

  private final Services s;
  private final DataCopier copier;

  MultipartOps(Services s) {
    this.s = s;
    this.copier = new DataCopier(s);
  }

  Operation create(S3Request r, Authenticated who) {
    BucketRecord b = s.authorize(r, who, S3Actions.PUT_OBJECT);
    String algorithm = r.headerValue("x-amz-checksum-algorithm") == null ? ""
        : r.headerValue("x-amz-checksum-algorithm").toLowerCase(java.util.Locale.ROOT);
    if (!algorithm.isEmpty() && !List.of(PayloadChecks.CHECKSUM_ALGORITHMS).contains(algorithm)) {
      throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "Checksum algorithm " + algorithm + " is not supported");
    }
    String type = r.headerValue("x-amz-checksum-type") == null ? (algorithm.isEmpty() ? "" : "COMPOSITE")
        : r.headerValue("x-amz-checksum-type").toUpperCase(java.util.Locale.ROOT);
    if (!type.isEmpty() && !type.equals("COMPOSITE") && !type.equals("FULL_OBJECT")) {
      throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "x-amz-checksum-type must be COMPOSITE or FULL_OBJECT");
    }
    Map<String, String> tags = Tagging.parseHeader(r.headerValue("x-amz-tagging"));
    return new Blocking(s.workers(), () -> {
      String uploadId = UUID.randomUUID().toString().replace("-", "");
      UploadRecord u = new UploadRecord(who.isAnonymous() ? b.owner() : who.userName(), System.currentTimeMillis(),
          ObjectHeaders.stored(r), ObjectHeaders.userMetadata(r), tags, algorithm, type, false);
      s.store().meta().txn(KvTxn.newBuilder()
          .addConditions(KvCondition.newBuilder().setNamespace(S3Keys.BUCKETS)
              .setKey(ByteString.copyFrom(S3Keys.bucket(r.bucket()))).setKind(KvConditionKind.KV_MUST_EXIST))
          .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.UPLOADS)
              .setKey(ByteString.copyFrom(S3Keys.upload(r.bucket(), r.key(), uploadId))).setValue(ByteString.copyFrom(u.encode())))
          .addWrites(UploadStore.register(uploadId, S3Keys.upload(r.bucket(), r.key(), uploadId)))
          .build());
      Reply reply = Reply.xml(200, XmlWriter.root("InitiateMultipartUploadResult").elem("Bucket", r.bucket())
          .elem("Key", r.key()).elem("UploadId", uploadId).toBytes());
      if (!algorithm.isEmpty()) {
        reply.header("x-amz-checksum-algorithm", algorithm.toUpperCase(java.util.Locale.ROOT))
            .header("x-amz-checksum-type", type);
      }
      return reply;
    });
  }

  /** The upload's record, or NoSuchUpload. */
  Versioned<UploadRecord> upload(S3Request r, Authenticated who, String action) {
    String uploadId = r.param("uploadId");
    s.authorize(r, who, action);
    if (uploadId == null || !uploadId.matches("[0-9a-f]{32}")) {
      throw new S3Exception(S3ErrorCode.NO_SUCH_UPLOAD);
    }
    Optional<KvEntry> e = s.store().meta().get(S3Keys.UPLOADS, S3Keys.upload(r.bucket(), r.key(), uploadId));
    return e.map(x -> new Versioned<>(UploadRecord.decode(x.getValue().toByteArray()), x.getVersion()))
        .orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_UPLOAD));
  }

  static int partNumber(S3Request r) {
    try {
      int n = Integer.parseInt(r.param("partNumber"));
      if (n >= 1 && n <= MAX_PART_NUMBER) {
        return n;
      }
    } catch (NumberFormatException | NullPointerException e) {
      // fall through
    }
    throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Part number must be an integer between 1 and " + MAX_PART_NUMBER);
  }

  Operation uploadPart(S3Request r, Authenticated who) {
    int partNumber = partNumber(r);
    upload(r, who, S3Actions.PUT_OBJECT);
    String uploadId = r.param("uploadId");
    long declared = ObjectWriteOps.declaredLength(r, s.config().maxObjectBytes());
    return new DataUpload(s, declared, (dataId, body) -> {
      String md5 = HexFormat.of().formatHex(body.md5());
      ObjectRecord.Checksum c = ObjectWriteOps.checksum(body);
      PartRecord part = new PartRecord(partNumber, dataId, body.length(), md5, System.currentTimeMillis(), c);
      commitPart(r, uploadId, part);
      Reply reply = Reply.empty(200).header("ETag", ObjectHeaders.quoted(md5));
      if (body.checksum() != null) {
        reply.header(body.checksum().getKey(), body.checksum().getValue());
      }
      return reply;
    });
  }

  /** UploadPartCopy: a byte range of another object becomes part N. */
  Operation uploadPartCopy(S3Request r, Authenticated who) {
    int partNumber = partNumber(r);
    upload(r, who, S3Actions.PUT_OBJECT);
    String uploadId = r.param("uploadId");
    ObjectWriteOps.CopySource src = ObjectWriteOps.CopySource.parse(r.headerValue("x-amz-copy-source"));
    return new Blocking(s.workers(), () -> {
      ObjectRecord source = src.load(s, who, r);
      long[] range = copyRange(r.headerValue("x-amz-copy-source-range"), source.size());
      DataCopier.Copy c = copier.copy(source, range[0], range[1]);
      String md5 = HexFormat.of().formatHex(c.md5());
      PartRecord part = new PartRecord(partNumber, c.dataId(), c.length(), md5, System.currentTimeMillis(),
          ObjectRecord.Checksum.NONE);
      try {
        commitPart(r, uploadId, part);
      } catch (S3Exception e) {
        copier.discard(c);
        throw e;
      }
      return Reply.xml(200, XmlWriter.root("CopyPartResult").elem("LastModified", ObjectHeaders.iso(part.lastModifiedMillis()))
          .elem("ETag", ObjectHeaders.quoted(md5)).toBytes());
    });
  }

  /** {@code bytes=first-last} (both required, inside the source) or the whole source. */
  static long[] copyRange(String header, long size) {
    if (header == null) {
      return new long[] {0, size};
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes=(\\d{1,19})-(\\d{1,19})").matcher(header.trim());
    if (!m.matches()) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "The x-amz-copy-source-range value must be of the form bytes=first-last");
    }
    long first = Long.parseLong(m.group(1));
    long last = Long.parseLong(m.group(2));
    if (last < first || last >= size) {
      throw new S3Exception(S3ErrorCode.INVALID_RANGE, "The x-amz-copy-source-range value is outside the source object");
    }
    return new long[] {first, last - first + 1};
  }

  /** Commits a part, conditioned on the upload record's version, so none lands once completion has begun. */
  private void commitPart(S3Request r, String uploadId, PartRecord part) {
    ByteString partKey = ByteString.copyFrom(S3Keys.part(uploadId, part.partNumber()));
    ByteString uploadKey = ByteString.copyFrom(S3Keys.upload(r.bucket(), r.key(), uploadId));
    for (int attempt = 0; attempt < 8; attempt++) {
      Optional<KvEntry> upload = s.store().meta().get(S3Keys.UPLOADS, uploadKey.toByteArray());
      if (upload.isEmpty() || UploadRecord.decode(upload.get().getValue().toByteArray()).completing()) {
        throw new S3Exception(S3ErrorCode.NO_SUCH_UPLOAD);
      }
      Optional<KvEntry> old = s.store().meta().get(S3Keys.PARTS, partKey.toByteArray());
      KvTxn.Builder t = KvTxn.newBuilder()
          .addConditions(KvCondition.newBuilder().setNamespace(S3Keys.UPLOADS).setKey(uploadKey)
              .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(upload.get().getVersion()))
          .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.PARTS).setKey(partKey).setValue(ByteString.copyFrom(part.encode())))
          .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.INTENTS).setKey(ByteString.copyFromUtf8(part.dataId())).setDelete(true));
      KvCondition.Builder c = KvCondition.newBuilder().setNamespace(S3Keys.PARTS).setKey(partKey);
      t.addConditions(old.isPresent() ? c.setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(old.get().getVersion())
          : c.setKind(KvConditionKind.KV_MUST_NOT_EXIST));
      List<Segment> garbage = old.map(e -> List.of(PartRecord.decode(e.getValue().toByteArray()).segment())).orElse(List.of());
      byte[] gcKey = garbage.isEmpty() ? null : ObjectStore.addGarbage(t, garbage);
      try {
        s.store().meta().txn(t.build());
      } catch (MetaException e) {
        if (e.status() != MetaStatus.META_CONDITION_FAILED) {
          throw e;
        }
        continue;
      }
      if (gcKey != null) {
        s.store().gc().collectSoon(gcKey, new RecordCodec.Garbage(ChunkedDataWriter.CHUNK_BYTES, garbage));
      }
      return;
    }
    throw new S3Exception(S3ErrorCode.SLOW_DOWN, "part " + part.partNumber() + " is being replaced concurrently");
  }

  /** Sets or clears the upload's completing mark (CAS); returns the upload at its new version. */
  Versioned<UploadRecord> markCompleting(S3Request r, Versioned<UploadRecord> u, boolean completing) {
    ByteString uploadKey = ByteString.copyFrom(S3Keys.upload(r.bucket(), r.key(), r.param("uploadId")));
    UploadRecord next = u.value().withCompleting(completing);
    try {
      long v = s.store().meta().txn(KvTxn.newBuilder()
          .addConditions(KvCondition.newBuilder().setNamespace(S3Keys.UPLOADS).setKey(uploadKey)
              .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(u.version()))
          .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.UPLOADS).setKey(uploadKey).setValue(ByteString.copyFrom(next.encode())))
          .build());
      return new Versioned<>(next, v);
    } catch (MetaException e) {
      if (e.status() == MetaStatus.META_CONDITION_FAILED) {
        throw new S3Exception(S3ErrorCode.NO_SUCH_UPLOAD, "the upload changed concurrently");
      }
      throw e;
    }
  }

  Operation abort(S3Request r, Authenticated who) {
    return new Blocking(s.workers(), () -> {
      Versioned<UploadRecord> u = upload(r, who, S3Actions.ABORT_UPLOAD);
      if (!uploads().abort(S3Keys.upload(r.bucket(), r.key(), r.param("uploadId")), r.param("uploadId"), u.version())) {
        throw new S3Exception(S3ErrorCode.NO_SUCH_UPLOAD);
      }
      return Reply.empty(204);
    });
  }

  UploadStore uploads() {
    return s.store().gc().uploads();
  }

  List<KvEntry> allParts(String uploadId) {
    return uploads().allParts(uploadId);
  }

}

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
  static final int MAX_PART_NUMBER = 10_000;
  static final int DELETE_BATCH = 500;

  private final Services s;

  MultipartOps(Services s) {
    this.s = s;
  }

  Operation create(S3Request r, Authenticated who) {
    return new Blocking(s.workers(), () -> {
      s.store().requireBucket(r.bucket(), who.userName());
      String uploadId = UUID.randomUUID().toString().replace("-", "");
      UploadRecord u = new UploadRecord(who.userName(), System.currentTimeMillis(), ObjectHeaders.contentType(r),
          ObjectHeaders.userMetadata(r));
      s.store().meta().txn(KvTxn.newBuilder()
          .addConditions(KvCondition.newBuilder().setNamespace(S3Keys.BUCKETS)
              .setKey(ByteString.copyFrom(S3Keys.bucket(r.bucket()))).setKind(KvConditionKind.KV_MUST_EXIST))
          .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.UPLOADS)
              .setKey(ByteString.copyFrom(S3Keys.upload(r.bucket(), r.key(), uploadId))).setValue(ByteString.copyFrom(u.encode())))
          .build());
      return Reply.xml(200, XmlWriter.root("InitiateMultipartUploadResult").elem("Bucket", r.bucket())
          .elem("Key", r.key()).elem("UploadId", uploadId).toBytes());
    });
  }

  /** The upload's record, or NoSuchUpload. */
  Versioned<UploadRecord> upload(S3Request r, Authenticated who) {
    String uploadId = r.param("uploadId");
    if (uploadId == null || !uploadId.matches("[0-9a-f]{32}")) {
      throw new S3Exception(S3ErrorCode.NO_SUCH_UPLOAD);
    }
    s.store().requireBucket(r.bucket(), who.userName());
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
    upload(r, who);
    String uploadId = r.param("uploadId");
    long declared = ObjectWriteOps.declaredLength(r, s.config().maxObjectBytes());
    return new DataUpload(s, declared, (dataId, body) -> {
      String md5 = HexFormat.of().formatHex(body.md5());
      PartRecord part = new PartRecord(partNumber, dataId, body.length(), md5, System.currentTimeMillis());
      commitPart(r, uploadId, part);
      Reply reply = Reply.empty(200).header("ETag", ObjectHeaders.quoted(md5));
      if (body.checksum() != null) {
        reply.header(body.checksum().getKey(), body.checksum().getValue());
      }
      return reply;
    });
  }

  private void commitPart(S3Request r, String uploadId, PartRecord part) {
    ByteString partKey = ByteString.copyFrom(S3Keys.part(uploadId, part.partNumber()));
    ByteString uploadKey = ByteString.copyFrom(S3Keys.upload(r.bucket(), r.key(), uploadId));
    for (int attempt = 0; attempt < 8; attempt++) {
      Optional<KvEntry> old = s.store().meta().get(S3Keys.PARTS, partKey.toByteArray());
      KvTxn.Builder t = KvTxn.newBuilder()
          .addConditions(KvCondition.newBuilder().setNamespace(S3Keys.UPLOADS).setKey(uploadKey).setKind(KvConditionKind.KV_MUST_EXIST))
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
        if (s.store().meta().get(S3Keys.UPLOADS, uploadKey.toByteArray()).isEmpty()) {
          throw new S3Exception(S3ErrorCode.NO_SUCH_UPLOAD);
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

  Operation abort(S3Request r, Authenticated who) {
    return new Blocking(s.workers(), () -> {
      Versioned<UploadRecord> u = upload(r, who);
      String uploadId = r.param("uploadId");
      List<KvEntry> parts = allParts(uploadId);
      List<Segment> garbage = new ArrayList<>();
      parts.forEach(e -> garbage.add(PartRecord.decode(e.getValue().toByteArray()).segment()));
      KvTxn.Builder t = KvTxn.newBuilder()
          .addConditions(KvCondition.newBuilder().setNamespace(S3Keys.UPLOADS)
              .setKey(ByteString.copyFrom(S3Keys.upload(r.bucket(), r.key(), uploadId)))
              .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(u.version()))
          .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.UPLOADS)
              .setKey(ByteString.copyFrom(S3Keys.upload(r.bucket(), r.key(), uploadId))).setDelete(true));
      byte[] gcKey = garbage.isEmpty() ? null : ObjectStore.addGarbage(t, garbage);
      try {
        s.store().meta().txn(t.build());
      } catch (MetaException e) {
        if (e.status() == MetaStatus.META_CONDITION_FAILED) {
          throw new S3Exception(S3ErrorCode.NO_SUCH_UPLOAD);
        }
        throw e;
      }
      if (gcKey != null) {
        s.store().gc().collectSoon(gcKey, new RecordCodec.Garbage(ChunkedDataWriter.CHUNK_BYTES, garbage));
      }
      deletePartRecords(parts);
      return Reply.empty(204);
    });
  }

  List<KvEntry> allParts(String uploadId) {
    List<KvEntry> out = new ArrayList<>();
    byte[] after = new byte[0];
    while (out.size() <= MAX_PART_NUMBER) {
      List<KvEntry> page = s.store().scan(S3Keys.PARTS, S3Keys.partPrefix(uploadId), after, 1000);
      out.addAll(page);
      if (page.size() < 1000) {
        break;
      }
      after = page.get(page.size() - 1).getKey().toByteArray();
    }
    return out;
  }

  /**
   * Part records of a finished upload, removed after the upload record is gone (a transaction
   * holds at most 1000 operations; 10000 parts do not fit). Leftovers after a crash only cost
   * metadata: the upload they belong to no longer exists.
   */
  void deletePartRecords(List<KvEntry> parts) {
    for (int i = 0; i < parts.size(); i += DELETE_BATCH) {
      KvTxn.Builder t = KvTxn.newBuilder();
      for (KvEntry e : parts.subList(i, Math.min(parts.size(), i + DELETE_BATCH))) {
        t.addWrites(KvWrite.newBuilder().setNamespace(S3Keys.PARTS).setKey(e.getKey()).setDelete(true));
      }
      try {
        s.store().meta().txn(t.build());
      } catch (RuntimeException e) {
        return;  // best effort, see above
      }
    }
  }
}

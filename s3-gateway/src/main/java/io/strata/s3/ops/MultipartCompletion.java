package io.strata.s3.ops;

import com.google.protobuf.ByteString;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvWrite;
import io.strata.s3.auth.Authenticated;
import io.strata.s3.body.PayloadChecks;
import io.strata.s3.policy.S3Actions;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.ChunkedDataWriter;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.ObjectStore;
import io.strata.s3.store.PartRecord;
import io.strata.s3.store.S3Keys;
import io.strata.s3.store.Segment;
import io.strata.s3.store.UploadRecord;
import io.strata.s3.store.UploadStore;
import io.strata.s3.store.Versioned;
import io.strata.s3.xml.XmlDocument;
import io.strata.s3.xml.XmlWriter;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * CompleteMultipartUpload: checks the client's part list against the stored parts, then in one
 * transaction deletes the upload, writes the object (one segment per part, no data copied) and
 * sends unused parts and the replaced object to GC.
 */
final class MultipartCompletion {
  static final long MIN_PART_BYTES = 5L << 20;

  private final Services s;
  private final MultipartOps multipart;

  MultipartCompletion(Services s, MultipartOps multipart) {
    this.s = s;
    this.multipart = multipart;
  }

  /** @param checksum the part checksum the client lists ({@code ChecksumCRC32} ...), null when none */
  record RequestedPart(int number, String etag, String checksum) {}

  /** Parses {@code <CompleteMultipartUpload><Part><PartNumber/><ETag/></Part>...}; checks order. */
  static List<RequestedPart> parse(byte[] body) {
    XmlDocument d = XmlDocument.parse(body);
    if (!d.rootName().equals("CompleteMultipartUpload")) {
      throw new S3Exception(S3ErrorCode.MALFORMED_XML);
    }
    List<RequestedPart> out = new ArrayList<>();
    for (Element p : XmlDocument.children(d.root(), "Part")) {
      String n = XmlDocument.childText(p, "PartNumber");
      String etag = XmlDocument.childText(p, "ETag");
      if (n == null || etag == null) {
        throw new S3Exception(S3ErrorCode.MALFORMED_XML);
      }
      int number;
      try {
        number = Integer.parseInt(n.trim());
      } catch (NumberFormatException e) {
        throw new S3Exception(S3ErrorCode.MALFORMED_XML);
      }
      if (!out.isEmpty() && number <= out.get(out.size() - 1).number()) {
        throw new S3Exception(S3ErrorCode.INVALID_PART_ORDER);
      }
      String checksum = null;
      for (String a : PayloadChecks.CHECKSUM_ALGORITHMS) {
        String v = XmlDocument.childText(p, "Checksum" + a.toUpperCase(java.util.Locale.ROOT));
        checksum = v != null ? v.trim() : checksum;
      }
      out.add(new RequestedPart(number, etag.trim().replace("\"", ""), checksum));
    }
    if (out.isEmpty() || out.size() > MultipartOps.MAX_PART_NUMBER) {
      throw new S3Exception(S3ErrorCode.MALFORMED_XML, "You must specify at least one part");
    }
    return out;
  }

  /** S3's multipart ETag: MD5 of the concatenated binary part MD5s, then "-" and the count. */
  static String multipartEtag(List<String> partMd5Hex) {
    MessageDigest md5 = ObjectWriteOps.md5();
    partMd5Hex.forEach(h -> md5.update(HexFormat.of().parseHex(h)));
    return HexFormat.of().formatHex(md5.digest()) + "-" + partMd5Hex.size();
  }

  Operation complete(S3Request r, Authenticated who) {
    Versioned<UploadRecord> upload = multipart.upload(r, who, S3Actions.PUT_OBJECT);
    String uploadId = r.param("uploadId");
    return new XmlBody(s.workers(), body -> {
      List<RequestedPart> requested = parse(body);
      Versioned<UploadRecord> marked = multipart.markCompleting(r, upload, true);
      try {
        return completeMarked(r, marked, requested);
      } catch (S3Exception e) {
        try {
          multipart.markCompleting(r, marked, false);  // a refused completion may be corrected and retried
        } catch (RuntimeException ignored) {
          // still marked: Complete can be retried, Abort works, the expiry sweep collects it
        }
        throw e;
      }
    });
  }

  private Reply completeMarked(S3Request r, Versioned<UploadRecord> upload, List<RequestedPart> requested) {
    String uploadId = r.param("uploadId");
    {
      List<KvEntry> stored = multipart.allParts(uploadId);
      Map<Integer, PartRecord> byNumber = new HashMap<>();
      stored.forEach(e -> {
        PartRecord p = PartRecord.decode(e.getValue().toByteArray());
        byNumber.put(p.partNumber(), p);
      });
      List<PartRecord> used = new ArrayList<>();
      long size = 0;
      for (int i = 0; i < requested.size(); i++) {
        RequestedPart want = requested.get(i);
        PartRecord p = byNumber.remove(want.number());
        if (p == null || !p.md5Hex().equals(want.etag())
            || (want.checksum() != null && !want.checksum().equals(p.checksum().value()))) {
          throw new S3Exception(S3ErrorCode.INVALID_PART, "part " + want.number() + " not found, or its ETag or checksum differs");
        }
        if (i < requested.size() - 1 && p.size() < MIN_PART_BYTES) {
          throw new S3Exception(S3ErrorCode.ENTITY_TOO_SMALL, "part " + p.partNumber() + " is smaller than 5 MiB");
        }
        used.add(p);
        size += p.size();
      }
      UploadRecord u = upload.value();
      ObjectRecord.Checksum checksum = PartChecksums.of(u.checksumAlgorithm(), u.checksumType(), used);
      String expected = checksum.present() ? r.headerValue("x-amz-checksum-" + checksum.algorithm()) : null;
      if (expected != null && checksum.type().equals("FULL_OBJECT") && !expected.equals(checksum.value())) {
        throw new S3Exception(S3ErrorCode.BAD_DIGEST, "x-amz-checksum-" + checksum.algorithm() + " does not match the parts");
      }
      List<Segment> unused = byNumber.values().stream().map(PartRecord::segment).toList();
      String etag = multipartEtag(used.stream().map(PartRecord::md5Hex).toList());
      ObjectRecord rec = new ObjectRecord(size, etag, System.currentTimeMillis(), u.owner(), u.headers(),
          u.userMetadata(), u.tags(), checksum, ChunkedDataWriter.CHUNK_BYTES,
          used.stream().map(PartRecord::segment).toList(), ObjectRecord.Version.LEGACY);
      ByteString uploadKey = ByteString.copyFrom(S3Keys.upload(r.bucket(), r.key(), uploadId));
      ObjectStore.Change change = new ObjectStore.Change(
          List.of(KvCondition.newBuilder().setNamespace(S3Keys.UPLOADS).setKey(uploadKey)
              .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(upload.version()).build()),
          List.of(KvWrite.newBuilder().setNamespace(S3Keys.UPLOADS).setKey(uploadKey).setDelete(true).build(),
              UploadStore.completed(uploadId, used.stream().map(PartRecord::dataId).toList())),
          List.of(), unused, () -> new S3Exception(S3ErrorCode.NO_SUCH_UPLOAD), h -> { });
      ObjectRecord done = s.store().versions().put(r.bucket(), r.key(), rec, ObjectWriteOps.conditional(r, change));
      if (multipart.uploads().deletePartRecords(stored)) {
        multipart.uploads().forgetCompleted(uploadId);
      }
      XmlWriter w = XmlWriter.root("CompleteMultipartUploadResult")
          .elem("Location", "/" + r.bucket() + "/" + r.key()).elem("Bucket", r.bucket()).elem("Key", r.key())
          .elem("ETag", ObjectHeaders.quoted(etag));
      if (checksum.present()) {
        w.elem("Checksum" + checksum.algorithm().toUpperCase(java.util.Locale.ROOT), checksum.value())
            .elem("ChecksumType", checksum.type());
      }
      Reply reply = Reply.xml(200, w.toBytes());
      ObjectHeaders.versionHeader(reply, s.store().cachedBucket(r.bucket()).value(), done.versionId());
      return reply;
    }
  }
}

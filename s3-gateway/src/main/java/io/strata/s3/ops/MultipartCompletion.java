package io.strata.s3.ops;

import com.google.protobuf.ByteString;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvWrite;
import io.strata.s3.auth.Authenticated;
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

  record RequestedPart(int number, String etag) {}

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
      out.add(new RequestedPart(number, etag.trim().replace("\"", "")));
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
    Versioned<UploadRecord> upload = multipart.upload(r, who);
    String uploadId = r.param("uploadId");
    return new XmlBody(s.workers(), body -> {
      List<RequestedPart> requested = parse(body);
      List<KvEntry> stored = multipart.allParts(uploadId);
      Map<Integer, PartRecord> byNumber = new HashMap<>();
      stored.forEach(e -> {
        PartRecord p = PartRecord.decode(e.getValue().toByteArray());
        byNumber.put(p.partNumber(), p);
      });
      List<Segment> segments = new ArrayList<>();
      List<String> md5s = new ArrayList<>();
      long size = 0;
      for (int i = 0; i < requested.size(); i++) {
        PartRecord p = byNumber.remove(requested.get(i).number());
        if (p == null || !p.md5Hex().equals(requested.get(i).etag())) {
          throw new S3Exception(S3ErrorCode.INVALID_PART, "part " + requested.get(i).number() + " not found or ETag differs");
        }
        if (i < requested.size() - 1 && p.size() < MIN_PART_BYTES) {
          throw new S3Exception(S3ErrorCode.ENTITY_TOO_SMALL, "part " + p.partNumber() + " is smaller than 5 MiB");
        }
        if (p.size() > 0) {
          segments.add(p.segment());
        }
        md5s.add(p.md5Hex());
        size += p.size();
      }
      List<Segment> unused = byNumber.values().stream().map(PartRecord::segment).toList();
      String etag = multipartEtag(md5s);
      ObjectRecord rec = new ObjectRecord(size, etag, upload.value().contentType(), System.currentTimeMillis(),
          upload.value().userMetadata(), ChunkedDataWriter.CHUNK_BYTES, segments);
      ByteString uploadKey = ByteString.copyFrom(S3Keys.upload(r.bucket(), r.key(), uploadId));
      ObjectStore.Change change = new ObjectStore.Change(
          List.of(KvCondition.newBuilder().setNamespace(S3Keys.UPLOADS).setKey(uploadKey)
              .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(upload.version()).build()),
          List.of(KvWrite.newBuilder().setNamespace(S3Keys.UPLOADS).setKey(uploadKey).setDelete(true).build()),
          List.of(), unused, () -> new S3Exception(S3ErrorCode.NO_SUCH_UPLOAD));
      s.store().replaceObject(r.bucket(), r.key(), rec, change);
      multipart.deletePartRecords(stored);
      return Reply.xml(200, XmlWriter.root("CompleteMultipartUploadResult")
          .elem("Location", "/" + r.bucket() + "/" + r.key()).elem("Bucket", r.bucket()).elem("Key", r.key())
          .elem("ETag", ObjectHeaders.quoted(etag)).toBytes());
    });
  }
}

package io.strata.s3.ops;

import io.strata.proto.KvEntry;
import io.strata.s3.auth.Authenticated;
import io.strata.s3.policy.S3Actions;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.PartRecord;
import io.strata.s3.store.S3Keys;
import io.strata.s3.store.UploadRecord;
import io.strata.s3.xml.XmlWriter;
import java.util.List;

/** ListParts and ListMultipartUploads. */
final class MultipartListing {
  static final int MAX_ITEMS = 1000;

  private final Services s;
  private final MultipartOps multipart;

  MultipartListing(Services s, MultipartOps multipart) {
    this.s = s;
    this.multipart = multipart;
  }

  Operation listParts(S3Request r, Authenticated who) {
    int max = ListingOps.maxKeys(r.param("max-parts"));
    int marker = intParam(r.param("part-number-marker"));
    return new Blocking(s.workers(), () -> {
      UploadRecord u = multipart.upload(r, who, S3Actions.LIST_PARTS).value();
      String uploadId = r.param("uploadId");
      byte[] after = marker == 0 ? new byte[0] : S3Keys.part(uploadId, marker);
      List<KvEntry> page = s.store().scan(S3Keys.PARTS, S3Keys.partPrefix(uploadId), after, max + 1);
      boolean truncated = page.size() > max;
      XmlWriter w = XmlWriter.root("ListPartsResult").elem("Bucket", r.bucket()).elem("Key", r.key())
          .elem("UploadId", uploadId);
      w.start("Initiator").elem("ID", u.owner()).elem("DisplayName", u.owner()).end();
      w.start("Owner").elem("ID", u.owner()).elem("DisplayName", u.owner()).end();
      w.elem("StorageClass", "STANDARD").elem("PartNumberMarker", marker).elem("MaxParts", max)
          .elem("IsTruncated", truncated);
      int last = marker;
      for (KvEntry e : page.subList(0, Math.min(max, page.size()))) {
        PartRecord p = PartRecord.decode(e.getValue().toByteArray());
        w.start("Part").elem("PartNumber", p.partNumber()).elem("LastModified", ObjectHeaders.iso(p.lastModifiedMillis()))
            .elem("ETag", ObjectHeaders.quoted(p.md5Hex())).elem("Size", p.size());
        if (p.checksum().present()) {
          w.elem("Checksum" + p.checksum().algorithm().toUpperCase(java.util.Locale.ROOT), p.checksum().value());
        }
        w.end();
        last = p.partNumber();
      }
      w.elem("NextPartNumberMarker", last);
      return Reply.xml(200, w.toBytes());
    });
  }

  Operation listUploads(S3Request r, Authenticated who) {
    int max = ListingOps.maxKeys(r.param("max-uploads"));
    String prefix = r.param("prefix") == null ? "" : r.param("prefix");
    String keyMarker = r.param("key-marker") == null ? "" : r.param("key-marker");
    String idMarker = r.param("upload-id-marker") == null ? "" : r.param("upload-id-marker");
    return new Blocking(s.workers(), () -> {
      s.authorize(r, who, S3Actions.LIST_UPLOADS);
      byte[] after = keyMarker.isEmpty() ? new byte[0] : idMarker.isEmpty()
          ? S3Keys.skipPrefix(S3Keys.utf8(r.bucket() + "/" + keyMarker + "\0"))
          : S3Keys.upload(r.bucket(), keyMarker, idMarker);
      List<KvEntry> page = s.store().scan(S3Keys.UPLOADS, S3Keys.utf8(r.bucket() + "/" + prefix), after, max + 1);
      boolean truncated = page.size() > max;
      XmlWriter w = XmlWriter.root("ListMultipartUploadsResult").elem("Bucket", r.bucket())
          .elem("KeyMarker", keyMarker).elem("UploadIdMarker", idMarker).elem("Prefix", prefix)
          .elem("MaxUploads", max).elem("IsTruncated", truncated);
      String lastKey = "";
      String lastId = "";
      for (KvEntry e : page.subList(0, Math.min(max, page.size()))) {
        String full = e.getKey().toStringUtf8();
        int nul = full.lastIndexOf('\0');
        lastKey = full.substring(r.bucket().length() + 1, nul);
        lastId = full.substring(nul + 1);
        UploadRecord u = UploadRecord.decode(e.getValue().toByteArray());
        w.start("Upload").elem("Key", lastKey).elem("UploadId", lastId);
        w.start("Initiator").elem("ID", u.owner()).elem("DisplayName", u.owner()).end();
        w.start("Owner").elem("ID", u.owner()).elem("DisplayName", u.owner()).end();
        w.elem("StorageClass", "STANDARD").elem("Initiated", ObjectHeaders.iso(u.initiatedMillis())).end();
      }
      if (truncated) {
        w.elem("NextKeyMarker", lastKey).elem("NextUploadIdMarker", lastId);
      }
      return Reply.xml(200, w.toBytes());
    });
  }

  private static int intParam(String v) {
    if (v == null) {
      return 0;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= 0 && n <= MultipartOps.MAX_PART_NUMBER) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "bad part-number-marker");
  }
}

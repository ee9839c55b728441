package io.strata.s3.ops;

import io.strata.s3.auth.Authenticated;
import io.strata.s3.policy.S3Actions;
import io.strata.s3.store.BucketRecord;
import io.strata.s3.auth.AwsUriEncoding;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.S3Keys;
import io.strata.s3.xml.XmlWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** ListObjectsV2 and ListObjects (v1): parameter parsing and XML; the walk is {@link ObjectLister}. */
final class ListingOps {
  static final int MAX_KEYS = 1000;

  private final Services s;

  ListingOps(Services s) {
    this.s = s;
  }

  Operation listV2(S3Request r, Authenticated who) {
    String prefix = orEmpty(r.param("prefix"));
    String delimiter = orEmpty(r.param("delimiter"));
    int maxKeys = maxKeys(r.param("max-keys"));
    String token = r.param("continuation-token");
    String startAfter = r.param("start-after");
    boolean url = encodingType(r);
    byte[] cursor = token != null ? decodeToken(token) : startAfter != null ? ObjectLister.utf8(startAfter) : new byte[0];
    boolean fetchOwner = "true".equals(r.param("fetch-owner"));
    BucketRecord b = s.authorize(r.bucket(), null, who, S3Actions.LIST_BUCKET);
    return new Blocking(s.workers(), () -> {
      ObjectLister.Page p = ObjectLister.list(s.store()::scanObjects, r.bucket(), prefix, delimiter, cursor, maxKeys,
          e -> !ObjectLister.isDeleteMarker(e));
      XmlWriter w = XmlWriter.root("ListBucketResult").elem("Name", r.bucket()).elem("Prefix", enc(prefix, url))
          .elem("KeyCount", p.contents().size() + p.commonPrefixes().size()).elem("MaxKeys", maxKeys);
      w.optional("Delimiter", enc(delimiter, url)).elem("IsTruncated", p.truncated());
      w.optional("ContinuationToken", token);
      if (p.truncated()) {
        w.elem("NextContinuationToken", Base64.getUrlEncoder().withoutPadding().encodeToString(p.nextCursor()));
      }
      w.optional("StartAfter", enc(startAfter, url));
      return Reply.xml(200, body(w, p, url, fetchOwner).toBytes());
    });
  }

  Operation listV1(S3Request r, Authenticated who) {
    String prefix = orEmpty(r.param("prefix"));
    String delimiter = orEmpty(r.param("delimiter"));
    String marker = orEmpty(r.param("marker"));
    int maxKeys = maxKeys(r.param("max-keys"));
    boolean url = encodingType(r);
    s.authorize(r.bucket(), null, who, S3Actions.LIST_BUCKET);
    return new Blocking(s.workers(), () -> {
      ObjectLister.Page p = ObjectLister.list(s.store()::scanObjects, r.bucket(), prefix, delimiter,
          ObjectLister.utf8(marker), maxKeys, e -> !ObjectLister.isDeleteMarker(e));
      XmlWriter w = XmlWriter.root("ListBucketResult").elem("Name", r.bucket()).elem("Prefix", enc(prefix, url))
          .elem("Marker", enc(marker, url)).elem("MaxKeys", maxKeys);
      w.optional("Delimiter", enc(delimiter, url)).elem("IsTruncated", p.truncated());
      if (p.truncated() && p.lastItem() != null) {
        w.elem("NextMarker", enc(p.lastItem(), url));
      }
      return Reply.xml(200, body(w, p, url, true).toBytes());
    });
  }

  private static XmlWriter body(XmlWriter w, ObjectLister.Page p, boolean url, boolean owner) {
    for (ObjectLister.Item i : p.contents()) {
      ObjectRecord o = ObjectRecord.decode(i.entry().getValue().toByteArray());
      w.start("Contents").elem("Key", enc(i.key(), url))
          .elem("LastModified", ObjectHeaders.iso(o.lastModifiedMillis()))
          .elem("ETag", ObjectHeaders.quoted(o.etag())).elem("Size", o.size());
      if (owner) {
        String who = o.owner().isEmpty() ? "strata" : o.owner();
        w.start("Owner").elem("ID", who).elem("DisplayName", who).end();
      }
      w.elem("StorageClass", "STANDARD").end();
    }
    for (String cp : p.commonPrefixes()) {
      w.start("CommonPrefixes").elem("Prefix", enc(cp, url)).end();
    }
    if (url) {
      w.elem("EncodingType", "url");
    }
    return w;
  }

  static int maxKeys(String v) {
    if (v == null) {
      return MAX_KEYS;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 0) {
        throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "max-keys must be non-negative");
      }
      return Math.min(n, MAX_KEYS);
    } catch (NumberFormatException e) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "max-keys must be a number");
    }
  }

  private static boolean encodingType(S3Request r) {
    String e = r.param("encoding-type");
    if (e != null && !e.equals("url")) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "encoding-type must be url");
    }
    return e != null;
  }

  private static byte[] decodeToken(String token) {
    try {
      byte[] b = Base64.getUrlDecoder().decode(token);
      if (b.length > S3Keys.utf8("x").length * 4096) {
        throw new IllegalArgumentException();
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "The continuation token provided is incorrect");
    }
  }

  static String enc(String s, boolean url) {
    return s == null ? null : url ? AwsUriEncoding.encode(s, true) : s;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}

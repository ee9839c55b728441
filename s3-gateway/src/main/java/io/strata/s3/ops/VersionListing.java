package io.strata.s3.ops;

import io.strata.proto.KvEntry;
import io.strata.s3.auth.Authenticated;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.policy.S3Actions;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.S3Keys;
import io.strata.s3.xml.XmlWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ListObjectVersions: one range scan of the versions namespace, where a key's versions sort
 * newest first, so the first version seen of a key is its latest (unless the page starts inside
 * the key). Delimiters roll up like ListObjects, skipping a whole common prefix per step.
 */
final class VersionListing {
  static final int PAGE = 1000;

  private final Services s;

  VersionListing(Services s) {
    this.s = s;
  }

  Operation list(S3Request r, Authenticated who) {
    String prefix = orEmpty(r.param("prefix"));
    String delimiter = orEmpty(r.param("delimiter"));
    String keyMarker = orEmpty(r.param("key-marker"));
    String versionMarker = orEmpty(r.param("version-id-marker"));
    int maxKeys = ListingOps.maxKeys(r.param("max-keys"));
    boolean url = "url".equals(r.param("encoding-type"));
    s.authorize(r.bucket(), null, who, S3Actions.LIST_BUCKET_VERSIONS);
    return new Blocking(s.workers(), () -> {
      byte[] base = S3Keys.objectPrefix(r.bucket());
      byte[] cursor = start(r.bucket(), keyMarker, versionMarker);
      String lastKeySeen = versionMarker.isEmpty() ? null : keyMarker;
      XmlWriter w = XmlWriter.root("ListVersionsResult").elem("Name", r.bucket())
          .elem("Prefix", ListingOps.enc(prefix, url)).elem("KeyMarker", ListingOps.enc(keyMarker, url))
          .elem("VersionIdMarker", versionMarker).elem("MaxKeys", maxKeys);
      w.optional("Delimiter", ListingOps.enc(delimiter, url));
      List<String> prefixes = new ArrayList<>();
      int count = 0;
      String nextKey = null;
      String nextVersion = null;
      boolean truncated = false;
      byte[] fullPrefix = ObjectLister.concat(base, ObjectLister.utf8(prefix));
      XmlWriter items = XmlWriter.fragment();
      scan:
      while (true) {
        List<KvEntry> page = s.store().scan(S3Keys.VERSIONS, fullPrefix, cursor, PAGE);
        for (KvEntry e : page) {
          String full = e.getKey().toStringUtf8();
          String key = full.substring(base.length, full.lastIndexOf('\0'));
          int at = delimiter.isEmpty() ? -1 : key.indexOf(delimiter, prefix.length());
          if (count == maxKeys) {
            truncated = true;
            break scan;
          }
          if (at >= 0) {
            String cp = key.substring(0, at + delimiter.length());
            prefixes.add(cp);
            count++;
            nextKey = cp;
            nextVersion = null;
            cursor = S3Keys.skipPrefix(ObjectLister.concat(base, ObjectLister.utf8(cp)));
            continue scan;
          }
          ObjectRecord o = ObjectRecord.decode(e.getValue().toByteArray());
          boolean latest = !key.equals(lastKeySeen);
          lastKeySeen = key;
          item(items, key, o, latest, url);
          count++;
          nextKey = key;
          nextVersion = o.versionId();
          cursor = e.getKey().toByteArray();
        }
        if (page.size() < PAGE) {
          break;
        }
      }
      w.elem("IsTruncated", truncated);
      if (truncated) {
        w.elem("NextKeyMarker", ListingOps.enc(nextKey, url));
        if (nextVersion != null) {
          w.elem("NextVersionIdMarker", nextVersion);
        }
      }
      w.raw(items);
      for (String cp : prefixes) {
        w.start("CommonPrefixes").elem("Prefix", ListingOps.enc(cp, url)).end();
      }
      if (url) {
        w.elem("EncodingType", "url");
      }
      return Reply.xml(200, w.toBytes());
    });
  }

  private static void item(XmlWriter w, String key, ObjectRecord o, boolean latest, boolean url) {
    String owner = o.owner().isEmpty() ? "strata" : o.owner();
    w.start(o.deleteMarker() ? "DeleteMarker" : "Version").elem("Key", ListingOps.enc(key, url))
        .elem("VersionId", o.versionId()).elem("IsLatest", latest)
        .elem("LastModified", ObjectHeaders.iso(o.lastModifiedMillis()));
    if (!o.deleteMarker()) {
      w.elem("ETag", ObjectHeaders.quoted(o.etag())).elem("Size", o.size()).elem("StorageClass", "STANDARD");
    }
    w.start("Owner").elem("ID", owner).elem("DisplayName", owner).end();
    w.end();
  }

  /** The scan start: after every version of key-marker, or after one version of it. */
  private byte[] start(String bucket, String keyMarker, String versionMarker) {
    if (keyMarker.isEmpty()) {
      return new byte[0];
    }
    if (versionMarker.isEmpty()) {
      return S3Keys.skipPrefix(S3Keys.versionPrefix(bucket, keyMarker));
    }
    long seq;
    if (versionMarker.equals(ObjectRecord.NULL_VERSION)) {
      seq = s.store().head(bucket, keyMarker).map(h -> h.value().version())
          .map(v -> v.isNull() ? v.seq() : v.nullVersionSeq()).orElse(0L);
      if (seq == 0) {
        return S3Keys.skipPrefix(S3Keys.versionPrefix(bucket, keyMarker));
      }
    } else {
      seq = io.strata.s3.store.VersionIds.seqOf(versionMarker);
    }
    return S3Keys.version(bucket, keyMarker, seq);
  }

  private static String orEmpty(String v) {
    return v == null ? "" : v;
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  static byte[] copy(byte[] b) {
    return Arrays.copyOf(b, b.length);
  }
}

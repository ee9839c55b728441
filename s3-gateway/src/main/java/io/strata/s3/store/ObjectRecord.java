package io.strata.s3.store;

import java.util.List;
import java.util.Map;

/**
 * One version of an object: its size, ETag, headers, tags, checksum, version and where its bytes
 * live. A simple PUT has one segment; a completed multipart upload one segment per part, in
 * order (so {@code partNumber} reads and the parts count come from the segments).
 *
 * @param owner the user who wrote this version
 * @param headers stored standard headers, lower-case names (content-type, content-encoding, ...)
 * @param checksum the verified checksum the client sent, or {@link Checksum#NONE}
 * @param inline the bytes of a small object kept in the record itself (no segments), or null
 */
public record ObjectRecord(long size, String etag, long lastModifiedMillis, String owner, Map<String, String> headers,
                           Map<String, String> userMetadata, Map<String, String> tags, Checksum checksum,
                           int chunkBytes, List<Segment> segments, Version version, byte[] inline) {
  /**
   * Objects up to this size live in their metadata record: one Raft commit (replicated to and
   * fsynced by a majority of metadata peers) instead of an intent, a synced chunk write and a
   * commit; a GET is one metadata read. Listings read these records too, which bounds the size.
   */
  public static final int INLINE_MAX_BYTES = 16 << 10;

  public ObjectRecord(long size, String etag, long lastModifiedMillis, String owner, Map<String, String> headers,
                      Map<String, String> userMetadata, Map<String, String> tags, Checksum checksum,
                      int chunkBytes, List<Segment> segments, Version version) {
    this(size, etag, lastModifiedMillis, owner, headers, userMetadata, tags, checksum, chunkBytes, segments, version, null);
  }

  public ObjectRecord withInline(byte[] data) {
    return new ObjectRecord(size, etag, lastModifiedMillis, owner, headers, userMetadata, tags, checksum, chunkBytes,
        List.of(), version, data);
  }

  public static final String NULL_VERSION = "null";
  public static final String DEFAULT_CONTENT_TYPE = "binary/octet-stream";

  /**
   * Where a version sits in its key's history. {@code seq} orders versions (newest highest) and
   * names the version's key in {@link S3Keys#VERSIONS}; 0 means a record from before versions
   * were kept (no version entry). {@code nullVersionSeq} is kept only in the head record: the
   * seq of the key's "null" version, 0 when it has none.
   */
  public record Version(String versionId, long seq, boolean deleteMarker, long nullVersionSeq) {
    public static final Version LEGACY = new Version(NULL_VERSION, 0, false, 0);

    public boolean isNull() {
      return NULL_VERSION.equals(versionId);
    }
  }

  /** @param type FULL_OBJECT or COMPOSITE (multipart: a checksum of the part checksums, "-N") */
  public record Checksum(String algorithm, String value, String type) {
    public static final Checksum NONE = new Checksum("", "", "");

    public boolean present() {
      return !algorithm.isEmpty();
    }
  }

  public String contentType() {
    return headers.getOrDefault("content-type", DEFAULT_CONTENT_TYPE);
  }

  public boolean deleteMarker() {
    return version.deleteMarker();
  }

  public String versionId() {
    return version.versionId();
  }

  public ObjectRecord withVersion(Version v) {
    return new ObjectRecord(size, etag, lastModifiedMillis, owner, headers, userMetadata, tags, checksum, chunkBytes,
        segments, v, inline);
  }

  public ObjectRecord withTags(Map<String, String> t) {
    return new ObjectRecord(size, etag, lastModifiedMillis, owner, headers, userMetadata, Map.copyOf(t), checksum,
        chunkBytes, segments, version, inline);
  }

  /** A delete marker: no data, only a version. */
  public static ObjectRecord deleteMarker(String owner, long nowMillis) {
    return new ObjectRecord(0, "", nowMillis, owner, Map.of(), Map.of(), Map.of(), Checksum.NONE, 0, List.of(),
        new Version(NULL_VERSION, 0, true, 0));
  }

  public byte[] encode() {
    return RecordCodec.encodeObject(this);
  }

  public static ObjectRecord decode(byte[] b) {
    return RecordCodec.decodeObject(b);
  }
}

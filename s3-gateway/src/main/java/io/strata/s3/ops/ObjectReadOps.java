package io.strata.s3.ops;

import io.strata.s3.auth.Authenticated;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.policy.S3Actions;
import io.strata.s3.store.BucketRecord;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.Segment;
import io.strata.s3.store.Versioned;
import java.util.Map;
import java.util.Optional;

/** GetObject and HeadObject: versions, conditions, Range or partNumber, response-* overrides, checksums. */
final class ObjectReadOps {
  static final Map<String, String> OVERRIDES = Map.of("response-content-type", "Content-Type",
      "response-content-language", "Content-Language", "response-expires", "Expires",
      "response-cache-control", "Cache-Control", "response-content-disposition", "Content-Disposition",
      "response-content-encoding", "Content-Encoding");

  private final Services s;

  ObjectReadOps(Services s) {
    this.s = s;
  }

  Operation get(S3Request r, Authenticated who, boolean headOnly) {
    String versionId = r.param("versionId");
    BucketRecord b = s.authorize(r, who, versionId == null ? S3Actions.GET_OBJECT : S3Actions.GET_OBJECT_VERSION);
    boolean overrides = OVERRIDES.keySet().stream().anyMatch(r::hasParam);
    if (overrides && who.isAnonymous()) {
      throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "Request specific response headers cannot be used for anonymous GET requests.");
    }
    if (versionId == null) {
      // The common case, one metadata read: sent from the worker that authenticated the
      // request, the reply built where the read completes, no thread waiting in between.
      return new AsyncRead(() -> s.store().headAsync(r.bucket(), r.key())
          .thenApply(head -> reply(r, b, headOnly, current(head))));
    }
    return Blocking.readOnly(s.workers(), () -> reply(r, b, headOnly, find(r, b, versionId)));
  }

  /** Conditions, range or part, headers: the reply to a GET or HEAD of {@code o}. */
  private Reply reply(S3Request r, BucketRecord b, boolean headOnly, ObjectRecord o) {
    Preconditions.check(r::headerValue, "", o.etag(), o.lastModifiedMillis(), true);
    long start = 0;
    long length = o.size();
    int status = 200;
    String contentRange = null;
    String partNumber = r.param("partNumber");
    if (partNumber != null) {
      long[] part = partRange(o, partNumber);
      start = part[0];
      length = part[1];
      status = 206;
      contentRange = new ByteRange(start, length).contentRange(o.size());
    } else {
      ByteRange range = ByteRange.parse(r.headerValue("range"), o.size());
      if (range != null) {
        start = range.start();
        length = range.length();
        status = 206;
        contentRange = range.contentRange(o.size());
      }
    }
    Reply reply = headOnly ? Reply.empty(status)
        : Reply.streaming(status, new ObjectStreamer(s.chunks(), s.poolId(), o, start, length, s.budget()));
    boolean checksumMode = "ENABLED".equalsIgnoreCase(r.headerValue("x-amz-checksum-mode")) && status == 200;
    ObjectHeaders.describe(reply, o, b, checksumMode).header("Content-Length", length);
    if (contentRange != null) {
      reply.header("Content-Range", contentRange);
    }
    OVERRIDES.forEach((param, header) -> {
      if (r.param(param) != null) {
        reply.header(header, r.param(param));
      }
    });
    return reply;
  }

  /** The current version; NoSuchKey when there is none or it is a delete marker. */
  private static ObjectRecord current(Optional<Versioned<ObjectRecord>> head) {
    if (head.isEmpty()) {
      throw new S3Exception(S3ErrorCode.NO_SUCH_KEY);
    }
    if (head.get().value().deleteMarker()) {
      throw deleteMarker(S3ErrorCode.NO_SUCH_KEY, head.get().value().versionId());
    }
    return head.get().value();
  }

  /** The version asked for (or the current one); a delete marker answers 404 (current) or 405 (by id), as S3 does. */
  private ObjectRecord find(S3Request r, BucketRecord b, String versionId) {
    if (versionId == null) {
      return current(s.store().head(r.bucket(), r.key()));
    }
    ObjectRecord o = s.store().version(r.bucket(), r.key(), versionId)
        .orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_VERSION));
    if (o.deleteMarker()) {
      throw deleteMarker(S3ErrorCode.DELETE_MARKER_METHOD_NOT_ALLOWED, o.versionId());
    }
    return o;
  }

  static S3Exception deleteMarker(S3ErrorCode code, String versionId) {
    return new S3Exception(code).withHeader("x-amz-delete-marker", "true").withHeader("x-amz-version-id", versionId);
  }

  /** {start, length} of part N: a multipart object's parts are its segments; a simple object is part 1. */
  static long[] partRange(ObjectRecord o, String partNumber) {
    int n;
    try {
      n = Integer.parseInt(partNumber);
    } catch (NumberFormatException e) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000");
    }
    int parts = o.etag().contains("-") ? o.segments().size() : 1;
    if (n < 1 || n > Math.max(parts, 1)) {
      throw new S3Exception(S3ErrorCode.INVALID_PART, "The requested partnumber is not satisfiable");
    }
    if (parts == 1) {
      return new long[] {0, o.size()};
    }
    long start = 0;
    for (int i = 0; i < n - 1; i++) {
      start += o.segments().get(i).length();
    }
    Segment seg = o.segments().get(n - 1);
    return new long[] {start, seg.length()};
  }
}

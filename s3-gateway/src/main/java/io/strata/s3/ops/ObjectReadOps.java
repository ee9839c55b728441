package io.strata.s3.ops;

import io.strata.s3.auth.Authenticated;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.Versioned;

/** GetObject and HeadObject. */
final class ObjectReadOps {
  private final Services s;

  ObjectReadOps(Services s) {
    this.s = s;
  }

  Operation get(S3Request r, Authenticated who, boolean headOnly) {
    return new Blocking(s.workers(), () -> {
      s.store().requireBucket(r.bucket(), who.userName());
      ObjectRecord o = s.store().object(r.bucket(), r.key()).map(Versioned::value)
          .orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_KEY));
      checkPreconditions(r, o);
      ByteRange range = ByteRange.parse(r.headerValue("range"), o.size());
      long start = range == null ? 0 : range.start();
      long length = range == null ? o.size() : range.length();
      int status = range == null ? 200 : 206;
      Reply reply = headOnly ? Reply.empty(status)
          : Reply.streaming(status, new ObjectStreamer(s.chunks(), s.poolId(), o, start, length));
      ObjectHeaders.describe(reply, o).header("Content-Length", length);
      if (range != null) {
        reply.header("Content-Range", range.contentRange(o.size()));
      }
      return reply;
    });
  }

  /** If-Match / If-None-Match on the ETag (the date-based conditions are not implemented). */
  private static void checkPreconditions(S3Request r, ObjectRecord o) {
    String ifMatch = r.headerValue("if-match");
    if (ifMatch != null && !etagMatches(ifMatch, o.etag())) {
      throw new S3Exception(S3ErrorCode.PRECONDITION_FAILED);
    }
    String ifNoneMatch = r.headerValue("if-none-match");
    if (ifNoneMatch != null && etagMatches(ifNoneMatch, o.etag())) {
      throw new S3Exception(S3ErrorCode.NOT_MODIFIED);
    }
  }

  private static boolean etagMatches(String header, String etag) {
    for (String candidate : header.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || c.replace("\"", "").equals(etag)) {
        return true;
      }
    }
    return false;
  }
}

package io.strata.s3.http;

import io.strata.client.ChunkException;
import io.strata.metadata.client.MetaException;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.xml.XmlWriter;
import java.util.concurrent.CompletionException;

/** Turns any failure into S3's error document; storage failures become 503, bugs 500. */
public final class ErrorReplies {
  private ErrorReplies() {}

  /** The cause under CompletionException / ExecutionException wrappers. */
  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  public static S3Exception toS3(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof S3Exception s) {
      return s;
    }
    if (c instanceof MetaException || c instanceof ChunkException || c instanceof java.util.concurrent.TimeoutException) {
      return new S3Exception(S3ErrorCode.SERVICE_UNAVAILABLE);
    }
    return S3Exception.from(c);
  }

  public static Reply of(S3Exception e, String resource, String requestId) {
    byte[] xml = XmlWriter.bareRoot("Error")
        .elem("Code", e.code().code())
        .elem("Message", e.getMessage())
        .elem("Resource", resource)
        .elem("RequestId", requestId)
        .toBytes();
    Reply r = Reply.xml(e.code().httpStatus(), xml);
    e.headers().forEach(r::header);
    return r;
  }
}

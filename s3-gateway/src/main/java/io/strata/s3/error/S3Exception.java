package io.strata.s3.error;

/** A request rejected with a named S3 error; the message is what the client sees. */
public final class S3Exception extends RuntimeException {
  private final S3ErrorCode code;
  private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

  public S3Exception(S3ErrorCode code) {
    this(code, code.defaultMessage());
  }

  public S3Exception(S3ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public S3ErrorCode code() {
    return code;
  }

  /** A header the error response carries (e.g. x-amz-delete-marker). */
  public S3Exception withHeader(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public java.util.Map<String, String> headers() {
    return headers;
  }

  /** Unwraps completion wrappers so a failed future maps to its S3 error (InternalError otherwise). */
  public static S3Exception from(Throwable t) {
    Throwable c = t;
    for (int i = 0; i < 8 && c != null; i++) {
      if (c instanceof S3Exception s) {
        return s;
      }
      c = c.getCause();
    }
    return new S3Exception(S3ErrorCode.INTERNAL_ERROR, S3ErrorCode.INTERNAL_ERROR.defaultMessage());
  }
}

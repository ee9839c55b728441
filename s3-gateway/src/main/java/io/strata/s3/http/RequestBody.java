package io.strata.s3.http;

import io.netty.buffer.ByteBuf;
import io.strata.s3.auth.Authenticated;
import io.strata.s3.auth.PayloadMode;
import io.strata.s3.body.AwsChunkedDecoder;
import io.strata.s3.body.PayloadChecks;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.util.Map;

/**
 * The body path of one request: raw HTTP content, then aws-chunked decoding (with chunk
 * signatures) when the payload mode says so, then digests, then the operation. Verification
 * that needs the whole body happens in {@link #finish()}, before the operation may commit.
 */
final class RequestBody {
  /** Bodies of operations that take none are read and dropped, up to this many bytes. */
  static final long MAX_IGNORED_BODY_BYTES = 1 << 20;

  private final Operation op;
  private final PayloadChecks checks;
  private final AwsChunkedDecoder chunked;
  private final Long declaredDecodedLength;
  private long plainLength;

  RequestBody(S3Request r, Authenticated auth, Operation op) {
    this.op = op;
    PayloadMode mode = auth.payloadMode();
    if (op.acceptsBody()) {
      GatewayMetrics.payloadMode(mode);
    }
    this.checks = new PayloadChecks(mode == PayloadMode.SIGNED ? auth.payloadHash() : null, r.headerMap());
    this.chunked = mode.chunked() ? new AwsChunkedDecoder(mode.signedChunks() ? auth.signing() : null,
        mode == PayloadMode.STREAMING_SIGNED_TRAILER, this::payload) : null;
    String decoded = r.headerValue("x-amz-decoded-content-length");
    if (mode.chunked() && decoded == null) {
      throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH, "aws-chunked bodies need x-amz-decoded-content-length");
    }
    try {
      this.declaredDecodedLength = decoded == null ? null : Long.parseLong(decoded);
    } catch (NumberFormatException e) {
      throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "bad x-amz-decoded-content-length");
    }
  }

  void feed(ByteBuf content) {
    if (!content.isReadable()) {
      return;
    }
    if (chunked != null) {
      chunked.feed(content);
    } else {
      payload(content);
    }
  }

  private void payload(ByteBuf data) {
    plainLength += data.readableBytes();
    if (!op.acceptsBody()) {
      if (plainLength > MAX_IGNORED_BODY_BYTES) {
        throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "unexpected request body");
      }
      return;
    }
    if (declaredDecodedLength != null && plainLength > declaredDecodedLength) {
      throw new S3Exception(S3ErrorCode.INVALID_CHUNK, "more data than x-amz-decoded-content-length");
    }
    checks.update(data);
    op.content(data);
  }

  BodyResult finish() {
    Map<String, String> trailers = Map.of();
    if (chunked != null) {
      chunked.finish();
      trailers = chunked.trailers();
    }
    if (declaredDecodedLength != null && plainLength != declaredDecodedLength) {
      throw new S3Exception(S3ErrorCode.INCOMPLETE_BODY, "decoded body has " + plainLength
          + " bytes, x-amz-decoded-content-length says " + declaredDecodedLength);
    }
    checks.verify(trailers);
    GatewayMetrics.RECEIVED_BYTES.add(plainLength);
    return new BodyResult(plainLength, checks.md5(), checks.verifiedChecksum());
  }
}

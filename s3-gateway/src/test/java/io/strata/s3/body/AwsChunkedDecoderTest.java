package io.strata.s3.body;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.strata.s3.auth.SigV4Crypto;
import io.strata.s3.auth.SigningContext;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** aws-chunked decoding: AWS's signed example, unsigned trailers, and malformed bodies. */
class AwsChunkedDecoderTest {
  static final String SIG1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
  static final String SIG2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
  static final String SIG3 = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

  static SigningContext example() {
    byte[] key = SigV4Crypto.signingKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
    return new SigningContext("AKIAIOSFODNN7EXAMPLE", key, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  }

  static byte[] exampleBody(String lastSig) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("10000;chunk-signature=" + SIG1 + "\r\n").getBytes(StandardCharsets.US_ASCII));
    b.writeBytes("a".repeat(65536).getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(("\r\n400;chunk-signature=" + SIG2 + "\r\n").getBytes(StandardCharsets.US_ASCII));
    b.writeBytes("a".repeat(1024).getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(("\r\n0;chunk-signature=" + lastSig + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    return b.toByteArray();
  }

  /** Feeds {@code body} in pieces of {@code step} bytes; returns the decoded payload. */
  static byte[] decode(AwsChunkedDecoder[] holder, SigningContext ctx, boolean signedTrailer, byte[] body, int step) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AwsChunkedDecoder d = new AwsChunkedDecoder(ctx, signedTrailer, slice -> {
      byte[] b = new byte[slice.readableBytes()];
      slice.getBytes(slice.readerIndex(), b);
      out.writeBytes(b);
    });
    holder[0] = d;
    for (int i = 0; i < body.length; i += step) {
      ByteBuf piece = Unpooled.wrappedBuffer(body, i, Math.min(step, body.length - i));
      try {
        d.feed(piece);
      } finally {
        piece.release();
      }
    }
    d.finish();
    return out.toByteArray();
  }

  @Test
  void awsSignedExampleDecodesInAnySlicing() {
    for (int step : new int[] {1, 7, 4096, 1 << 20}) {
      AwsChunkedDecoder[] d = new AwsChunkedDecoder[1];
      byte[] payload = decode(d, example(), false, exampleBody(SIG3), step);
      assertEquals(66560, payload.length);
      assertEquals(66560, d[0].decodedLength());
    }
  }

  @Test
  void wrongFinalChunkSignatureIsRejected() {
    String bad = SIG3.substring(0, 63) + "0";
    S3Exception e = assertThrows(S3Exception.class, () -> decode(new AwsChunkedDecoder[1], example(), false, exampleBody(bad), 4096));
    assertEquals(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, e.code());
  }

  @Test
  void unsignedPayloadWithCrc32TrailerVerifies() {
    byte[] body = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    AwsChunkedDecoder[] d = new AwsChunkedDecoder[1];
    assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), decode(d, null, false, body, 3));
    assertEquals(Map.of("x-amz-checksum-crc32", "NhCmhg=="), d[0].trailers());
    PayloadChecks ok = new PayloadChecks(null, Map.of("x-amz-trailer", "x-amz-checksum-crc32"));
    ok.update(Unpooled.wrappedBuffer("hello".getBytes(StandardCharsets.US_ASCII)));
    ok.verify(d[0].trailers());
    PayloadChecks bad = new PayloadChecks(null, Map.of("x-amz-trailer", "x-amz-checksum-crc32"));
    bad.update(Unpooled.wrappedBuffer("hellO".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(S3ErrorCode.BAD_DIGEST, assertThrows(S3Exception.class, () -> bad.verify(d[0].trailers())).code());
  }

  @Test
  void signedTrailerIsChainedFromTheFinalChunk() {
    SigningContext ctx = example();
    String s1 = ctx.chunkSignature(ctx.seedSignature(), SigV4Crypto.sha256Hex("hello"));
    String s2 = ctx.chunkSignature(s1, SigV4Crypto.EMPTY_SHA256);
    String trailer = ctx.trailerSignature(s2, SigV4Crypto.sha256Hex("x-amz-checksum-crc32c:mnG7TA==\n"));
    byte[] body = ("5;chunk-signature=" + s1 + "\r\nhello\r\n0;chunk-signature=" + s2
        + "\r\nx-amz-checksum-crc32c:mnG7TA==\r\nx-amz-trailer-signature:" + trailer + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    AwsChunkedDecoder[] d = new AwsChunkedDecoder[1];
    decode(d, ctx, true, body, 5);
    assertEquals(Map.of("x-amz-checksum-crc32c", "mnG7TA=="), d[0].trailers());
    byte[] forged = new String(body, StandardCharsets.US_ASCII).replace("mnG7TA==", "AAAAAA==").getBytes(StandardCharsets.US_ASCII);
    assertThrows(S3Exception.class, () -> decode(new AwsChunkedDecoder[1], ctx, true, forged, 5));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "zz\r\nhello\r\n0\r\n\r\n",                   // bad size
      "5\r\nhelloXX0\r\n\r\n",                      // data not followed by CRLF
      "5\nhello\r\n0\r\n\r\n",                      // bare LF
      "5\r\nhello\r\n",                             // truncated: no final chunk
      "5\r\nhello\r\n0\r\n\r\nextra",               // bytes after the end
      "ffffffffffffffff\r\n",                       // absurd size
      "5\r\nhello\r\n0\r\nnot a header\r\n\r\n",    // bad trailer
  })
  void malformedBodiesAreRejectedNotCrashed(String body) {
    S3Exception e = assertThrows(S3Exception.class, () ->
        decode(new AwsChunkedDecoder[1], null, false, body.getBytes(StandardCharsets.US_ASCII), 2));
    assertEquals(400, e.code().httpStatus());
  }

  @Test
  void overlongLineIsRejected() {
    byte[] body = ("5;" + "x".repeat(10_000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    assertThrows(S3Exception.class, () -> decode(new AwsChunkedDecoder[1], null, false, body, 100));
  }
}

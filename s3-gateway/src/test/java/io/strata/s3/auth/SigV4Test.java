package io.strata.s3.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * AWS's published SigV4 examples: the generic test suite (get-vanilla, query ordering) and the
 * S3 examples (GET with Range, presigned GET, the seed of the chunked PUT).
 */
class SigV4Test {
  static final String SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  static final String S3_KEY = "AKIAIOSFODNN7EXAMPLE";
  static final String S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  static SigV4Verifier at(String iso) {
    return new SigV4Verifier(Clock.fixed(Instant.parse(iso), ZoneOffset.UTC));
  }

  private static String suiteSignature(FakeRequest r) {
    String canonical = CanonicalRequest.build(r.method(), r.decodedPath(), r.query(), List.of("host", "x-amz-date"),
        r::header, SigV4Crypto.EMPTY_SHA256);
    byte[] key = SigV4Crypto.signingKey(SUITE_SECRET, "20150830", "us-east-1", "service");
    return SigV4Crypto.signature(key, SigV4Crypto.stringToSign("20150830T123600Z",
        "20150830/us-east-1/service/aws4_request", canonical));
  }

  @Test
  void getVanilla() {
    FakeRequest r = new FakeRequest("GET", "/").h("host", "example.amazonaws.com").h("x-amz-date", "20150830T123600Z");
    assertEquals("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", suiteSignature(r));
  }

  @Test
  void getVanillaQueryOrderKeyCase() {
    FakeRequest r = new FakeRequest("GET", "/").q("Param2", "value2").q("Param1", "value1")
        .h("host", "example.amazonaws.com").h("x-amz-date", "20150830T123600Z");
    assertEquals("b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", suiteSignature(r));
  }

  static FakeRequest s3GetWithRange(String signature) {
    return new FakeRequest("GET", "/test.txt").h("host", "examplebucket.s3.amazonaws.com").h("range", "bytes=0-9")
        .h("x-amz-content-sha256", SigV4Crypto.EMPTY_SHA256).h("x-amz-date", "20130524T000000Z")
        .h("authorization", "AWS4-HMAC-SHA256 Credential=" + S3_KEY + "/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=" + signature);
  }

  @Test
  void s3GetObjectHeaderSignatureVerifies() {
    RequestAuthenticator auth = new RequestAuthenticator(
        k -> k.equals(S3_KEY) ? Optional.of(new AccessKey("alice", S3_KEY, S3_SECRET)) : Optional.empty(),
        at("2013-05-24T00:05:00Z"));
    Authenticated a = auth.authenticate(s3GetWithRange("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
    assertEquals("alice", a.userName());
    assertEquals(PayloadMode.SIGNED, a.payloadMode());
  }

  @Test
  void tamperedSignatureUnknownKeyAndSkewAreRejected() {
    RequestAuthenticator auth = new RequestAuthenticator(
        k -> k.equals(S3_KEY) ? Optional.of(new AccessKey("alice", S3_KEY, S3_SECRET)) : Optional.empty(),
        at("2013-05-24T00:05:00Z"));
    S3Exception bad = assertThrows(S3Exception.class, () ->
        auth.authenticate(s3GetWithRange("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb40")));
    assertEquals(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, bad.code());
    FakeRequest tamperedRange = s3GetWithRange("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    tamperedRange.h("range", "bytes=0-99");  // a second value changes the canonical header
    assertEquals(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, assertThrows(S3Exception.class, () -> auth.authenticate(tamperedRange)).code());

    RequestAuthenticator nobody = new RequestAuthenticator(k -> Optional.empty(), at("2013-05-24T00:05:00Z"));
    assertEquals(S3ErrorCode.INVALID_ACCESS_KEY_ID, assertThrows(S3Exception.class, () ->
        nobody.authenticate(s3GetWithRange("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))).code());

    RequestAuthenticator late = new RequestAuthenticator(
        k -> Optional.of(new AccessKey("alice", S3_KEY, S3_SECRET)), at("2013-05-24T00:16:00Z"));
    assertEquals(S3ErrorCode.REQUEST_TIME_TOO_SKEWED, assertThrows(S3Exception.class, () ->
        late.authenticate(s3GetWithRange("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))).code());
  }

  static FakeRequest presigned(String signature) {
    return new FakeRequest("GET", "/test.txt").h("host", "examplebucket.s3.amazonaws.com")
        .q("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
        .q("X-Amz-Credential", S3_KEY + "/20130524/us-east-1/s3/aws4_request")
        .q("X-Amz-Date", "20130524T000000Z").q("X-Amz-Expires", "86400").q("X-Amz-SignedHeaders", "host")
        .q("X-Amz-Signature", signature);
  }

  @Test
  void presignedGetVerifiesAndExpires() {
    String sig = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    Map<String, String> q = new java.util.HashMap<>();
    presigned(sig).query().forEach(e -> q.put(e.getKey(), e.getValue()));
    SigV4Params p = SigV4Params.fromQuery(q);
    at("2013-05-24T12:00:00Z").verify(presigned(sig), p, S3_SECRET, PayloadMode.UNSIGNED_PAYLOAD);
    assertEquals(S3ErrorCode.EXPIRED_REQUEST.code(), assertThrows(S3Exception.class, () ->
        at("2013-05-25T00:00:01Z").verify(presigned(sig), p, S3_SECRET, PayloadMode.UNSIGNED_PAYLOAD)).code().code());
    assertEquals(S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR, assertThrows(S3Exception.class, () -> {
      Map<String, String> big = new java.util.HashMap<>(q);
      big.put("X-Amz-Expires", "604801");
      SigV4Params.fromQuery(big);
    }).code());
  }

  /** The seed signature of AWS's chunked-upload example; the chunks are checked in AwsChunkedDecoderTest. */
  static SigningContext chunkedExampleSeed() {
    FakeRequest r = new FakeRequest("PUT", "/examplebucket/chunkObject.txt")
        .h("content-encoding", "aws-chunked").h("content-length", "66824").h("host", "s3.amazonaws.com")
        .h("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD").h("x-amz-date", "20130524T000000Z")
        .h("x-amz-decoded-content-length", "66560").h("x-amz-storage-class", "REDUCED_REDUNDANCY")
        .h("authorization", "AWS4-HMAC-SHA256 Credential=" + S3_KEY + "/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
            + "x-amz-decoded-content-length;x-amz-storage-class,"
            + "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
    RequestAuthenticator auth = new RequestAuthenticator(k -> Optional.of(new AccessKey("alice", S3_KEY, S3_SECRET)),
        at("2013-05-24T00:00:00Z"));
    Authenticated a = auth.authenticate(r);
    assertEquals(PayloadMode.STREAMING_SIGNED, a.payloadMode());
    return a.signing();
  }

  @Test
  void chunkedUploadSeedSignatureVerifies() {
    assertEquals("4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", chunkedExampleSeed().seedSignature());
  }

  @Test
  void malformedAuthorizationHeadersAreNamedErrors() {
    for (String h : List.of("AWS4-HMAC-SHA256 Credential=x", "AWS4-HMAC-SHA256 garbage",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=host,Signature=00",
        "AWS4-HMAC-SHA256 Credential=K/20130524/us-east-1/s3/aws4_request,SignedHeaders=x-amz-date;host,Signature="
            + "0".repeat(64), "Bearer xyz")) {
      S3Exception e = assertThrows(S3Exception.class, () -> SigV4Params.fromHeader(h, "20130524T000000Z"));
      assertEquals(400, e.code().httpStatus(), h);
    }
  }

  @Test
  void uriEncodingFollowsSigV4() {
    assertEquals("a%20b/c~d%2Be%C3%A9", AwsUriEncoding.encode("a b/c~d+eé", true));
    assertEquals("a%2Fb", AwsUriEncoding.encode("a/b", false));
    assertEquals("a b/é+", AwsUriEncoding.decode("a%20b%2F%C3%A9+"));
  }
}

package io.strata.s3.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/** The AWS SDK for Java v2, default settings, against the gateway: buckets, objects, listing, tagging, errors. */
class SdkObjectsTest {
  static SdkGateway gw;
  static S3Client s3;
  static final String B = "sdk-objects";

  @BeforeAll
  static void start() throws Exception {
    gw = SdkGateway.get();
    s3 = gw.client(gw.alice);
    s3.createBucket(b -> b.bucket(B));
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static int status(Runnable r) {
    S3Exception e = assertThrows(S3Exception.class, r::run);
    assertTrue(e.requestId() != null && !e.requestId().isEmpty(), "request id on errors");
    return e.statusCode();
  }

  static String code(Runnable r) {
    return assertThrows(S3Exception.class, r::run).awsErrorDetails().errorCode();
  }

  @Test
  void bucketsCreateHeadListLocationAndErrors() {
    s3.createBucket(b -> b.bucket("sdk-b2").createBucketConfiguration(c -> c.locationConstraint("us-west-2")));
    s3.headBucket(b -> b.bucket("sdk-b2"));
    assertTrue(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("sdk-b2")));
    s3.getBucketLocation(b -> b.bucket("sdk-b2"));
    assertEquals("BucketAlreadyOwnedByYou", code(() -> s3.createBucket(b -> b.bucket("sdk-b2"))));
    assertEquals("NoSuchBucket", code(() -> s3.listObjectsV2(b -> b.bucket("sdk-missing"))));
    assertEquals(404, status(() -> s3.headBucket(b -> b.bucket("sdk-missing"))));
    s3.putObject(b -> b.bucket("sdk-b2").key("x"), RequestBody.fromString("x"));
    assertEquals("BucketNotEmpty", code(() -> s3.deleteBucket(b -> b.bucket("sdk-b2"))));
    s3.deleteObject(b -> b.bucket("sdk-b2").key("x"));
    s3.deleteBucket(b -> b.bucket("sdk-b2"));
  }

  @Test
  void putGetHeadWithHeadersMetadataAndDefaultChecksums() {
    byte[] data = random(300_000, 1);
    PutObjectResponse put = s3.putObject(b -> b.bucket(B).key("dir/a.bin").contentType("application/x-test")
        .contentEncoding("identity").contentDisposition("attachment; filename=a.bin").cacheControl("max-age=60")
        .contentLanguage("en").expires(Instant.parse("2030-01-01T00:00:00Z")).metadata(Map.of("color", "blue"))
        .tagging("t1=v1&t2=v2"), RequestBody.fromBytes(data));
    assertTrue(put.checksumCRC32() != null, "the SDK's default CRC32 trailer was verified and echoed");
    ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(B).key("dir/a.bin").checksumMode(ChecksumMode.ENABLED));
    assertArrayEquals(data, got.asByteArray());
    GetObjectResponse g = got.response();
    assertEquals(put.checksumCRC32(), g.checksumCRC32());
    assertEquals("application/x-test", g.contentType());
    assertEquals("identity", g.contentEncoding());
    assertEquals("attachment; filename=a.bin", g.contentDisposition());
    assertEquals("max-age=60", g.cacheControl());
    assertEquals("en", g.contentLanguage());
    assertEquals("blue", g.metadata().get("color"));
    assertEquals(2, g.tagCount());
    HeadObjectResponse h = s3.headObject(b -> b.bucket(B).key("dir/a.bin"));
    assertEquals(data.length, h.contentLength());
    assertEquals(put.eTag(), h.eTag());
    assertEquals(NoSuchKeyException.class, assertThrows(S3Exception.class,
        () -> s3.getObject(b -> b.bucket(B).key("nope"))).getClass());
  }

  @Test
  void everyChecksumAlgorithmIsVerifiedStoredAndReturned() {
    byte[] data = random(70_000, 2);
    // CRC64NVME needs the SDK's native CRT library; PayloadChecksTest covers it without the SDK.
    for (ChecksumAlgorithm a : List.of(ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32_C,
        ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256)) {
      String key = "sum-" + a;
      s3.putObject(b -> b.bucket(B).key(key).checksumAlgorithm(a), RequestBody.fromBytes(data));
      HeadObjectResponse h = s3.headObject(b -> b.bucket(B).key(key).checksumMode(ChecksumMode.ENABLED));
      String returned = switch (a) {
        case CRC32 -> h.checksumCRC32();
        case CRC32_C -> h.checksumCRC32C();
        case SHA1 -> h.checksumSHA1();
        default -> h.checksumSHA256();
      };
      assertTrue(returned != null && !returned.isEmpty(), a + " returned with checksum mode");
      assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(B).key(key).checksumMode(ChecksumMode.ENABLED)).asByteArray());
    }
    assertEquals("BadDigest", code(() -> s3.putObject(b -> b.bucket(B).key("bad").checksumCRC32("AAAAAA=="),
        RequestBody.fromString("payload"))));
  }

  @Test
  void rangesPartNumbersConditionsAndOverrides() {
    byte[] data = random(10_000, 3);
    PutObjectResponse put = s3.putObject(b -> b.bucket(B).key("cond"), RequestBody.fromBytes(data));
    byte[] range = s3.getObjectAsBytes(b -> b.bucket(B).key("cond").range("bytes=100-199")).asByteArray();
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, 200), range);
    assertEquals(data.length, s3.getObjectAsBytes(b -> b.bucket(B).key("cond").partNumber(1)).asByteArray().length);
    assertEquals(412, status(() -> s3.getObject(b -> b.bucket(B).key("cond").ifMatch("\"0000\""))));
    assertEquals(304, status(() -> s3.getObject(b -> b.bucket(B).key("cond").ifNoneMatch(put.eTag()))));
    Instant past = Instant.now().minusSeconds(3600);
    Instant future = Instant.now().plusSeconds(3600);
    assertEquals(304, status(() -> s3.getObject(b -> b.bucket(B).key("cond").ifModifiedSince(future))));
    assertEquals(412, status(() -> s3.getObject(b -> b.bucket(B).key("cond").ifUnmodifiedSince(past))));
    s3.getObjectAsBytes(b -> b.bucket(B).key("cond").ifModifiedSince(past).ifUnmodifiedSince(future).ifMatch(put.eTag()));
    GetObjectResponse o = s3.getObject(b -> b.bucket(B).key("cond").responseContentType("text/x-over")
        .responseContentDisposition("inline").responseCacheControl("no-cache").responseContentLanguage("de")
        .responseContentEncoding("gzip").responseExpires(Instant.parse("2031-01-01T00:00:00Z")),
        software.amazon.awssdk.core.sync.ResponseTransformer.toBytes()).response();
    assertEquals("text/x-over", o.contentType());
    assertEquals("inline", o.contentDisposition());
    assertEquals("no-cache", o.cacheControl());
    assertEquals("de", o.contentLanguage());
    assertEquals(416, status(() -> s3.getObject(b -> b.bucket(B).key("cond").range("bytes=20000-"))));
    assertEquals("PreconditionFailed", code(() -> s3.putObject(b -> b.bucket(B).key("cond").ifNoneMatch("*"),
        RequestBody.fromString("no overwrite"))));
  }

  @Test
  void copyWithDirectivesAndSourceConditions() {
    PutObjectResponse src = s3.putObject(b -> b.bucket(B).key("src").contentType("text/plain").metadata(Map.of("m", "1")),
        RequestBody.fromString("copy me"));
    s3.copyObject(b -> b.sourceBucket(B).sourceKey("src").destinationBucket(B).destinationKey("copy1"));
    HeadObjectResponse c1 = s3.headObject(b -> b.bucket(B).key("copy1"));
    assertEquals("1", c1.metadata().get("m"));
    assertEquals("text/plain", c1.contentType());
    CopyObjectResponse c2 = s3.copyObject(b -> b.sourceBucket(B).sourceKey("src").destinationBucket(B).destinationKey("copy2")
        .metadataDirective(MetadataDirective.REPLACE).metadata(Map.of("m", "2")).contentType("text/x2"));
    assertEquals(src.eTag(), c2.copyObjectResult().eTag());
    assertEquals("2", s3.headObject(b -> b.bucket(B).key("copy2")).metadata().get("m"));
    assertEquals("copy me", s3.getObjectAsBytes(b -> b.bucket(B).key("copy2")).asUtf8String());
    assertEquals(412, status(() -> s3.copyObject(b -> b.sourceBucket(B).sourceKey("src").destinationBucket(B)
        .destinationKey("copy3").copySourceIfMatch("\"nomatch\""))));
    assertEquals(412, status(() -> s3.copyObject(b -> b.sourceBucket(B).sourceKey("src").destinationBucket(B)
        .destinationKey("copy3").copySourceIfNoneMatch(src.eTag()))));
    assertEquals(412, status(() -> s3.copyObject(b -> b.sourceBucket(B).sourceKey("src").destinationBucket(B)
        .destinationKey("copy3").copySourceIfModifiedSince(Instant.now().plusSeconds(3600)))));
    assertEquals("NoSuchKey", code(() -> s3.copyObject(b -> b.sourceBucket(B).sourceKey("gone").destinationBucket(B)
        .destinationKey("copy3"))));
  }

  @Test
  void listingV2V1DelimiterPagingFetchOwnerAndUrlEncoding() {
    for (int i = 0; i < 7; i++) {
      int n = i;
      s3.putObject(b -> b.bucket(B).key("list/k" + n), RequestBody.fromString("v"));
    }
    s3.putObject(b -> b.bucket(B).key("list/sub/x y"), RequestBody.fromString("v"));
    List<String> keys = s3.listObjectsV2Paginator(b -> b.bucket(B).prefix("list/").maxKeys(3)).contents().stream()
        .map(o -> o.key()).collect(Collectors.toList());
    assertEquals(8, keys.size(), keys.toString());
    ListObjectsV2Response d = s3.listObjectsV2(b -> b.bucket(B).prefix("list/").delimiter("/").fetchOwner(true));
    assertEquals(List.of("list/sub/"), d.commonPrefixes().stream().map(p -> p.prefix()).toList());
    assertEquals(SdkGateway.USER, d.contents().get(0).owner().id());
    ListObjectsV2Response after = s3.listObjectsV2(b -> b.bucket(B).prefix("list/").startAfter("list/k5"));
    assertEquals(List.of("list/k6", "list/sub/x y"), after.contents().stream().map(o -> o.key()).toList());
    List<String> v1 = new java.util.ArrayList<>();
    String marker = "";
    while (true) {
      String m = marker;
      var page = s3.listObjects(b -> b.bucket(B).prefix("list/").maxKeys(3).marker(m));
      page.contents().forEach(o -> v1.add(o.key()));
      if (!page.isTruncated()) {
        break;
      }
      marker = page.nextMarker() != null ? page.nextMarker() : v1.get(v1.size() - 1);
    }
    assertEquals(keys, v1);
    s3.deleteObjects(b -> b.bucket(B).delete(x -> x.objects(ObjectIdentifier.builder().key("list/k0").build(),
        ObjectIdentifier.builder().key("list/k1").build()).quiet(false)));
    assertEquals(6, s3.listObjectsV2(b -> b.bucket(B).prefix("list/")).keyCount());
  }

  @Test
  void objectAndBucketTagging() {
    s3.putObject(b -> b.bucket(B).key("tagged"), RequestBody.fromString("t"));
    s3.putObjectTagging(b -> b.bucket(B).key("tagged").tagging(t -> t.tagSet(Tag.builder().key("k").value("v").build())));
    assertEquals("v", s3.getObjectTagging(b -> b.bucket(B).key("tagged")).tagSet().get(0).value());
    s3.deleteObjectTagging(b -> b.bucket(B).key("tagged"));
    assertTrue(s3.getObjectTagging(b -> b.bucket(B).key("tagged")).tagSet().isEmpty());
    assertEquals("NoSuchTagSet", code(() -> s3.getBucketTagging(b -> b.bucket(B))));
    s3.putBucketTagging(b -> b.bucket(B).tagging(t -> t.tagSet(Tag.builder().key("team").value("s3").build())));
    assertEquals("s3", s3.getBucketTagging(b -> b.bucket(B)).tagSet().get(0).value());
    s3.deleteBucketTagging(b -> b.bucket(B));
    assertEquals("InvalidTag", code(() -> s3.putObjectTagging(b -> b.bucket(B).key("tagged")
        .tagging(t -> t.tagSet(Tag.builder().key("").value("v").build())))));
  }

  @Test
  void wrongCredentialsAreRefused() {
    S3Client badSecret = gw.withSecret(gw.alice.accessKeyId(), "not-the-secret-not-the-secret-00000000000");
    assertEquals("SignatureDoesNotMatch", code(() -> badSecret.listBuckets()));
    assertEquals("SignatureDoesNotMatch", code(() -> badSecret.putObject(b -> b.bucket(B).key("x"), RequestBody.fromString("x"))));
    S3Client unknown = gw.withSecret("AKNOSUCHKEY000000000", "whatever-whatever-whatever-whatever-0000");
    assertEquals("InvalidAccessKeyId", code(() -> unknown.listObjectsV2(b -> b.bucket(B))));
    assertEquals("AccessDenied", code(() -> gw.anonymous().listObjectsV2(b -> b.bucket(B))));
  }
}

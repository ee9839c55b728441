package io.strata.s3.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/** Multipart uploads through the Java SDK: parts with checksums, UploadPartCopy with ranges, listings, errors. */
class SdkMultipartTest {
  static S3Client s3;
  static final String B = "sdk-multipart";
  static final int PART = 5 << 20;

  @BeforeAll
  static void start() throws Exception {
    SdkGateway gw = SdkGateway.get();
    s3 = gw.client(gw.alice);
    s3.createBucket(b -> b.bucket(B));
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String code(Runnable r) {
    return assertThrows(S3Exception.class, r::run).awsErrorDetails().errorCode();
  }

  @Test
  void uploadWithCompositeCrc32ListAndComplete() {
    byte[] p1 = random(PART, 1);
    byte[] p2 = random(1234, 2);
    String id = s3.createMultipartUpload(b -> b.bucket(B).key("mp").contentType("application/x-mp")
        .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
    UploadPartResponse r1 = s3.uploadPart(b -> b.bucket(B).key("mp").uploadId(id).partNumber(1)
        .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(p1));
    UploadPartResponse r2 = s3.uploadPart(b -> b.bucket(B).key("mp").uploadId(id).partNumber(2)
        .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(p2));
    assertTrue(s3.listMultipartUploads(b -> b.bucket(B)).uploads().stream().anyMatch(u -> u.uploadId().equals(id)));
    assertEquals(List.of(1, 2), s3.listParts(b -> b.bucket(B).key("mp").uploadId(id)).parts().stream()
        .map(p -> p.partNumber()).toList());
    assertEquals("InvalidPart", code(() -> s3.completeMultipartUpload(b -> b.bucket(B).key("mp").uploadId(id)
        .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag("\"bogus\"").build())))));
    CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(B).key("mp").uploadId(id)
        .multipartUpload(m -> m.parts(
            CompletedPart.builder().partNumber(1).eTag(r1.eTag()).checksumCRC32(r1.checksumCRC32()).build(),
            CompletedPart.builder().partNumber(2).eTag(r2.eTag()).checksumCRC32(r2.checksumCRC32()).build())));
    assertTrue(done.eTag().endsWith("-2\""), done.eTag());
    assertTrue(done.checksumCRC32().endsWith("-2"), "composite checksum: " + done.checksumCRC32());
    byte[] all = s3.getObjectAsBytes(b -> b.bucket(B).key("mp").checksumMode(ChecksumMode.ENABLED)).asByteArray();
    assertEquals(PART + p2.length, all.length);
    assertArrayEquals(p2, Arrays.copyOfRange(all, PART, all.length));
    assertArrayEquals(p2, s3.getObjectAsBytes(b -> b.bucket(B).key("mp").partNumber(2)).asByteArray());
    assertEquals(2, s3.headObject(b -> b.bucket(B).key("mp").partNumber(1)).partsCount());
    assertEquals("application/x-mp", s3.headObject(b -> b.bucket(B).key("mp")).contentType());
    assertEquals("NoSuchUpload", code(() -> s3.listParts(b -> b.bucket(B).key("mp").uploadId(id))));
  }

  @Test
  void uploadPartCopyWithRangesAndSourceConditions() {
    byte[] src = random(PART + 4096, 3);
    s3.putObject(b -> b.bucket(B).key("copy-src"), RequestBody.fromBytes(src));
    String id = s3.createMultipartUpload(b -> b.bucket(B).key("copied")).uploadId();
    UploadPartCopyResponse c1 = s3.uploadPartCopy(b -> b.sourceBucket(B).sourceKey("copy-src").destinationBucket(B)
        .destinationKey("copied").uploadId(id).partNumber(1).copySourceRange("bytes=0-" + (PART - 1)));
    UploadPartCopyResponse c2 = s3.uploadPartCopy(b -> b.sourceBucket(B).sourceKey("copy-src").destinationBucket(B)
        .destinationKey("copied").uploadId(id).partNumber(2).copySourceRange("bytes=" + PART + "-" + (src.length - 1)));
    assertEquals(412, assertThrows(S3Exception.class, () -> s3.uploadPartCopy(b -> b.sourceBucket(B).sourceKey("copy-src")
        .destinationBucket(B).destinationKey("copied").uploadId(id).partNumber(3).copySourceIfMatch("\"x\""))).statusCode());
    assertEquals("InvalidRange", code(() -> s3.uploadPartCopy(b -> b.sourceBucket(B).sourceKey("copy-src")
        .destinationBucket(B).destinationKey("copied").uploadId(id).partNumber(3).copySourceRange("bytes=0-99999999"))));
    s3.completeMultipartUpload(b -> b.bucket(B).key("copied").uploadId(id).multipartUpload(m -> m.parts(
        CompletedPart.builder().partNumber(1).eTag(c1.copyPartResult().eTag()).build(),
        CompletedPart.builder().partNumber(2).eTag(c2.copyPartResult().eTag()).build())));
    assertArrayEquals(src, s3.getObjectAsBytes(b -> b.bucket(B).key("copied")).asByteArray());
  }

  @Test
  void completionErrorsAndAbort() {
    String id = s3.createMultipartUpload(b -> b.bucket(B).key("bad")).uploadId();
    UploadPartResponse small = s3.uploadPart(b -> b.bucket(B).key("bad").uploadId(id).partNumber(1),
        RequestBody.fromString("too small"));
    UploadPartResponse last = s3.uploadPart(b -> b.bucket(B).key("bad").uploadId(id).partNumber(2),
        RequestBody.fromString("last"));
    assertEquals("EntityTooSmall", code(() -> s3.completeMultipartUpload(b -> b.bucket(B).key("bad").uploadId(id)
        .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(small.eTag()).build(),
            CompletedPart.builder().partNumber(2).eTag(last.eTag()).build())))));
    assertEquals("InvalidPartOrder", code(() -> s3.completeMultipartUpload(b -> b.bucket(B).key("bad").uploadId(id)
        .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(2).eTag(last.eTag()).build(),
            CompletedPart.builder().partNumber(1).eTag(small.eTag()).build())))));
    s3.abortMultipartUpload(b -> b.bucket(B).key("bad").uploadId(id));
    assertEquals("NoSuchUpload", code(() -> s3.uploadPart(b -> b.bucket(B).key("bad").uploadId(id).partNumber(3),
        RequestBody.fromString("late"))));
    assertEquals("NoSuchUpload", code(() -> s3.abortMultipartUpload(b -> b.bucket(B).key("bad").uploadId(id))));
  }
}

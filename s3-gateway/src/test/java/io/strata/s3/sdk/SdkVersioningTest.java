package io.strata.s3.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Versioning through the Java SDK: ids, delete markers, GET/HEAD/DELETE by version, the null version, listing. */
class SdkVersioningTest {
  static S3Client s3;
  static final String B = "sdk-versions";

  @BeforeAll
  static void start() throws Exception {
    SdkGateway gw = SdkGateway.get();
    s3 = gw.client(gw.alice);
    s3.createBucket(b -> b.bucket(B));
  }

  static String get(String key, String versionId) {
    return s3.getObjectAsBytes(b -> b.bucket(B).key(key).versionId(versionId)).asUtf8String();
  }

  @Test
  void enabledThenSuspended() {
    assertEquals(null, s3.getBucketVersioning(b -> b.bucket(B)).status());
    s3.putObject(b -> b.bucket(B).key("k"), RequestBody.fromString("v0-before-versioning"));
    s3.putBucketVersioning(b -> b.bucket(B).versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
    assertEquals(BucketVersioningStatus.ENABLED, s3.getBucketVersioning(b -> b.bucket(B)).status());
    PutObjectResponse v1 = s3.putObject(b -> b.bucket(B).key("k"), RequestBody.fromString("v1"));
    PutObjectResponse v2 = s3.putObject(b -> b.bucket(B).key("k"), RequestBody.fromString("v2"));
    assertNotEquals(v1.versionId(), v2.versionId());
    assertEquals("v2", s3.getObjectAsBytes(b -> b.bucket(B).key("k")).asUtf8String());
    assertEquals("v1", get("k", v1.versionId()));
    assertEquals("v0-before-versioning", get("k", "null"));
    assertEquals(v1.versionId(), s3.headObject(b -> b.bucket(B).key("k").versionId(v1.versionId())).versionId());

    DeleteObjectResponse dm = s3.deleteObject(b -> b.bucket(B).key("k"));
    assertTrue(dm.deleteMarker());
    S3Exception gone = assertThrows(S3Exception.class, () -> s3.getObject(b -> b.bucket(B).key("k")));
    assertEquals(404, gone.statusCode());
    assertEquals("v2", get("k", v2.versionId()), "older versions survive a delete marker");
    assertTrue(s3.listObjectsV2(b -> b.bucket(B)).contents().isEmpty(), "a delete marker hides the key from listings");

    ListObjectVersionsResponse list = s3.listObjectVersions(b -> b.bucket(B));
    assertEquals(List.of(v2.versionId(), v1.versionId(), "null"), list.versions().stream().map(ObjectVersion::versionId).toList());
    assertEquals(1, list.deleteMarkers().size());
    assertTrue(list.deleteMarkers().get(0).isLatest());
    assertFalse(list.versions().get(0).isLatest());

    s3.deleteObject(b -> b.bucket(B).key("k").versionId(dm.versionId()));
    assertEquals("v2", s3.getObjectAsBytes(b -> b.bucket(B).key("k")).asUtf8String(), "removing the marker restores v2");
    s3.deleteObject(b -> b.bucket(B).key("k").versionId(v2.versionId()));
    assertEquals("v1", s3.getObjectAsBytes(b -> b.bucket(B).key("k")).asUtf8String(), "the next newest becomes current");
    assertEquals(404, assertThrows(S3Exception.class, () -> get("k", v2.versionId())).statusCode());
    assertEquals(400, assertThrows(S3Exception.class, () -> get("k", "not-a-version")).statusCode());

    s3.putBucketVersioning(b -> b.bucket(B).versioningConfiguration(c -> c.status(BucketVersioningStatus.SUSPENDED)));
    PutObjectResponse n1 = s3.putObject(b -> b.bucket(B).key("k"), RequestBody.fromString("null-1"));
    assertEquals("null", n1.versionId());
    s3.putObject(b -> b.bucket(B).key("k"), RequestBody.fromString("null-2"));
    List<ObjectVersion> after = s3.listObjectVersions(b -> b.bucket(B).prefix("k")).versions();
    assertEquals(List.of("null", v1.versionId()), after.stream().map(ObjectVersion::versionId).toList(),
        "a suspended PUT replaces the null version and keeps the others");
    assertEquals("null-2", get("k", "null"));
    s3.deleteObject(b -> b.bucket(B).key("k").versionId("null"));
    assertEquals("v1", s3.getObjectAsBytes(b -> b.bucket(B).key("k")).asUtf8String());
    s3.deleteObject(b -> b.bucket(B).key("k").versionId(v1.versionId()));
    assertTrue(s3.listObjectVersions(b -> b.bucket(B)).versions().isEmpty());
  }

  @Test
  void versionListingPagesWithMarkers() {
    s3.createBucket(b -> b.bucket("sdk-vpages"));
    s3.putBucketVersioning(b -> b.bucket("sdk-vpages").versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
    for (int i = 0; i < 3; i++) {
      for (String k : List.of("a", "b", "dir/c")) {
        s3.putObject(b -> b.bucket("sdk-vpages").key(k), RequestBody.fromString(k));
      }
    }
    long all = s3.listObjectVersionsPaginator(b -> b.bucket("sdk-vpages").maxKeys(2)).versions().stream().count();
    assertEquals(9, all);
    ListObjectVersionsResponse d = s3.listObjectVersions(b -> b.bucket("sdk-vpages").delimiter("/"));
    assertEquals(6, d.versions().size());
    assertEquals("dir/", d.commonPrefixes().get(0).prefix());
  }
}

package io.strata.s3.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.s3.auth.AccessKey;
import io.strata.s3.store.PartRecord;
import io.strata.s3.store.S3Keys;
import io.strata.s3.store.UploadStore;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Access-key management, and garbage collection of abandoned uploads and leftover part records. */
class SdkMaintenanceTest {
  static SdkGateway gw;
  static S3Client s3;
  static final String B = "sdk-maint";

  @BeforeAll
  static void start() throws Exception {
    gw = SdkGateway.get();
    s3 = gw.client(gw.alice);
    s3.createBucket(b -> b.bucket(B));
  }

  static boolean chunkExists(String dataId) {
    ChunkClient c = gw.cluster.client().chunks();
    return c.read(c.chunkId(gw.cluster.poolId(), ByteString.copyFromUtf8(dataId), 0), 0, 0).join().isPresent();
  }

  static List<KvEntry> parts(String uploadId) {
    return gw.server.garbageCollector().uploads().allParts(uploadId);
  }

  @Test
  void keysCanBeAddedListedAndDeleted() {
    AccessKey second = gw.server.iam().createKey(SdkGateway.USER);
    assertTrue(gw.server.iam().listKeys(SdkGateway.USER).containsAll(List.of(gw.alice.accessKeyId(), second.accessKeyId())));
    S3Client viaSecond = gw.client(second);
    viaSecond.putObject(b -> b.bucket(B).key("via-second"), RequestBody.fromString("ok"));
    assertTrue(gw.server.iam().deleteKey(SdkGateway.USER, second.accessKeyId()));
    assertFalse(gw.server.iam().listKeys(SdkGateway.USER).contains(second.accessKeyId()));
    assertEquals("InvalidAccessKeyId", assertThrows(S3Exception.class, () -> viaSecond.listObjectsV2(b -> b.bucket(B)))
        .awsErrorDetails().errorCode());
    assertFalse(gw.server.iam().deleteKey(SdkGateway.OTHER, gw.alice.accessKeyId()), "only the owner's keys");
    assertThrows(IllegalArgumentException.class, () -> gw.server.iam().createKey("nobody"));
  }

  @Test
  void abandonedUploadsAreAbortedAndTheirPartsCollected() {
    String id = s3.createMultipartUpload(b -> b.bucket(B).key("abandoned")).uploadId();
    s3.uploadPart(b -> b.bucket(B).key("abandoned").uploadId(id).partNumber(1), RequestBody.fromString("orphan data"));
    String dataId = PartRecord.decode(parts(id).get(0).getValue().toByteArray()).dataId();
    assertTrue(chunkExists(dataId));
    UploadStore uploads = gw.server.garbageCollector().uploads();
    assertEquals(0, uploads.expireUploads(System.currentTimeMillis() - 3600_000), "a fresh upload is left alone");
    assertTrue(uploads.expireUploads(System.currentTimeMillis() + 1) >= 1);
    assertEquals("NoSuchUpload", assertThrows(S3Exception.class, () -> s3.listParts(b -> b.bucket(B).key("abandoned")
        .uploadId(id))).awsErrorDetails().errorCode());
    assertTrue(parts(id).isEmpty());
    MiniCluster.waitFor(() -> !chunkExists(dataId), Duration.ofSeconds(30), "abandoned part data deleted");
  }

  @Test
  void leftoverPartRecordsAreCollectedButTheObjectKeepsItsData() throws Exception {
    byte[] body = new byte[5 << 20];
    new Random(9).nextBytes(body);
    String id = s3.createMultipartUpload(b -> b.bucket(B).key("done")).uploadId();
    String e1 = s3.uploadPart(b -> b.bucket(B).key("done").uploadId(id).partNumber(1), RequestBody.fromBytes(body)).eTag();
    KvEntry used = parts(id).get(0);
    s3.completeMultipartUpload(b -> b.bucket(B).key("done").uploadId(id)
        .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(e1).build())));
    // As if the gateway died after the commit and before deleting part records, with a part committed too late:
    String lateData = "dlate-" + id;
    PartRecord usedPart = PartRecord.decode(used.getValue().toByteArray());
    PartRecord late = new PartRecord(2, lateData, 4, "00", 0, usedPart.checksum());
    gw.cluster.client().metadata().txn(KvTxn.newBuilder()
        .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.PARTS).setKey(used.getKey())
            .setValue(ByteString.copyFrom(new PartRecord(1, usedPart.dataId(), usedPart.size(), usedPart.md5Hex(), 0,
                usedPart.checksum()).encode())))
        .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.PARTS).setKey(ByteString.copyFrom(S3Keys.part(id, 2)))
            .setValue(ByteString.copyFrom(late.encode())))
        .addWrites(UploadStore.completed(id, List.of(usedPart.dataId()))).build());
    ChunkClient c = gw.cluster.client().chunks();
    c.write(c.chunkId(gw.cluster.poolId(), ByteString.copyFromUtf8(lateData), 0), ByteString.copyFromUtf8("late"), true).join();
    assertEquals(2, gw.server.garbageCollector().uploads().collectLeftoverParts(System.currentTimeMillis()));
    assertTrue(parts(id).isEmpty());
    assertTrue(gw.cluster.client().metadata().get(S3Keys.UPLOAD_IDS, id.getBytes()).isEmpty(), "marker forgotten");
    MiniCluster.waitFor(() -> !chunkExists(lateData), Duration.ofSeconds(30), "late part data deleted");
    assertTrue(chunkExists(usedPart.dataId()));
    assertArrayEquals(body, s3.getObjectAsBytes(b -> b.bucket(B).key("done")).asByteArray());
  }
}

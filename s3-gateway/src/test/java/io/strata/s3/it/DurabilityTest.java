package io.strata.s3.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.client.ClusterMapCache;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import io.strata.proto.Member;
import io.strata.s3.S3Config;
import io.strata.s3.S3Server;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.S3Keys;
import io.strata.s3.store.Segment;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What a 200 promises, tested by breaking things under real uploads: a datanode killed while the
 * Java SDK uploads (every acknowledged object reads back, before and after the restart), the
 * gateway stopped in the middle of a body (nothing partial becomes visible, the old version stays,
 * the orphaned chunks are swept), and flipped bits on a disk (GET still returns the right bytes).
 */
class DurabilityTest {
  static GatewayFixture gw;
  static S3Client s3;

  @BeforeAll
  static void start() throws Exception {
    gw = new GatewayFixture(S3Config.defaults());
    s3 = client(gw.server.port());
    s3.createBucket(b -> b.bucket("dur"));
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  static S3Client client(int port) {
    return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(GatewayFixture.KEY_ID, GatewayFixture.SECRET)))
        .forcePathStyle(true).build();
  }

  static String md5(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
  }

  static byte[] body(int i) {
    byte[] b = new byte[i % 3 == 0 ? (9 << 20) + i : 4096 + i];
    new Random(i).nextBytes(b);
    return b;
  }

  @Test
  void everyAcknowledgedObjectSurvivesADatanodeKilledDuringUploads() throws Exception {
    Map<String, String> acked = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    Future<?>[] writers = new Future<?>[4];
    for (int t = 0; t < writers.length; t++) {
      writers[t] = pool.submit(() -> {
        for (int n = 0; n < 10; n++) {
          int i = next.incrementAndGet();
          byte[] b = body(i);
          try {
            s3.putObject(x -> x.bucket("dur").key("obj-" + i), RequestBody.fromBytes(b));
            acked.put("obj-" + i, md5(b));
          } catch (Exception e) {
            // not acknowledged: no promise was made
          }
        }
        return null;
      });
    }
    MiniCluster.waitFor(() -> acked.size() >= 4, Duration.ofSeconds(120), "first uploads acknowledged");
    gw.cluster.killDatanode(1);
    for (Future<?> w : writers) {
      w.get(300, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertTrue(acked.size() > 10, "most uploads were acknowledged with a datanode down: " + acked.size());
    verify(acked);
    gw.cluster.restartDatanode(1);
    gw.cluster.waitHealthy(Duration.ofSeconds(120));
    verify(acked);
  }

  static void verify(Map<String, String> acked) throws Exception {
    for (Map.Entry<String, String> e : acked.entrySet()) {
      assertEquals(e.getValue(), md5(s3.getObjectAsBytes(b -> b.bucket("dur").key(e.getKey())).asByteArray()), e.getKey());
    }
  }

  @Test
  void aGatewayStoppedMidUploadLeavesNoPartialObject() throws Exception {
    byte[] old = "the previous version".getBytes();
    s3.putObject(b -> b.bucket("dur").key("interrupted"), RequestBody.fromBytes(old));
    S3Server second = new S3Server(gw.cluster.client(), gw.cluster.poolId(), "127.0.0.1", 0, S3Config.defaults()).start();
    int total = 12 << 20;
    String dataId;
    try (RawClient c = new RawClient(second.port())) {
      c.send(RawClient.signedHead("PUT", "/dur/interrupted", "", "127.0.0.1:" + second.port(), Map.of(),
          "UNSIGNED-PAYLOAD", total));
      byte[] half = new byte[total / 2];
      new Random(1).nextBytes(half);
      c.send(half);
      MiniCluster.waitFor(() -> !intents().isEmpty(), Duration.ofSeconds(30), "the upload's intent recorded");
      dataId = intents().keySet().iterator().next();
      MiniCluster.waitFor(() -> chunkOf(dataId), Duration.ofSeconds(30), "the first chunk written");
      // The gateway goes away with half a body received and one chunk on the datanodes. Its
      // close drains the upload's chunk writes and hands the data to the GC (PendingCleanups).
      second.close();
    }
    assertArrayEquals(old, s3.getObjectAsBytes(b -> b.bucket("dur").key("interrupted")).asByteArray(),
        "the old version is still the object; nothing partial became visible");
    if (!intents().isEmpty()) {  // a clean-up that outran the close's wait: the sweep must do it
      gw.server.garbageCollector().sweepIntents(System.currentTimeMillis() + 1);
    }
    MiniCluster.waitFor(() -> !chunkOf(dataId), Duration.ofSeconds(30), "orphaned chunks collected");
    MiniCluster.waitFor(() -> intents().isEmpty(), Duration.ofSeconds(30), "no intent left");
  }

  static Map<String, Long> intents() {
    Map<String, Long> out = new java.util.HashMap<>();
    gw.cluster.client().metadata().scan(S3Keys.INTENTS, new byte[0], new byte[0], 100).getEntriesList()
        .forEach(e -> out.put(e.getKey().toStringUtf8(), e.getVersion()));
    return out;
  }

  static byte[] randomBytes(int length, long seed) {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    return data;
  }

  /** PUTs {@code data} as {@code key} in bucket "dur" and returns the object's committed metadata record. */
  static ObjectRecord putAndRecord(String key, byte[] data) {
    s3.putObject(b -> b.bucket("dur").key(key), RequestBody.fromBytes(data));
    return ObjectRecord.decode(gw.cluster.client().metadata()
        .get(S3Keys.OBJECTS, S3Keys.object("dur", key)).orElseThrow().getValue().toByteArray());
  }

  static boolean chunkOf(String dataId) {
    ChunkClient c = gw.cluster.client().chunks();
    return c.read(c.chunkId(gw.cluster.poolId(), ByteString.copyFromUtf8(dataId), 0), 0, 1).join().isPresent();
  }

  @Test
  void flippedBitsOnADiskNeverReachTheReader() throws Exception {
    byte[] data = randomBytes((9 << 20) + 77, 42);
    ObjectRecord rec = putAndRecord("flipped", data);
    ChunkClient chunks = gw.cluster.client().chunks();
    Segment seg = rec.segments().get(0);
    int corrupted = 0;
    for (long i = 0; i < seg.chunkCount(rec.chunkBytes()); i++) {
      ChunkId id = chunks.chunkId(gw.cluster.poolId(), ByteString.copyFromUtf8(seg.dataId()), i);
      Member primary = ClusterMapCache.acting(gw.cluster.currentMap(),
          ClusterMapCache.group(gw.cluster.currentMap(), id.getPool(), id.getPg()).orElseThrow()).get(0);
      var disk = gw.cluster.datanode(gw.cluster.datanodeIndex(primary.getNodeId())).disk(primary.getDiskIndex());
      if (disk.corruptAtRest(ChunkKeys.encode(id), 1000 + (int) i)) {
        corrupted++;
      }
    }
    assertEquals(seg.chunkCount(rec.chunkBytes()), corrupted, "every chunk's primary copy has a flipped bit at rest");
    assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket("dur").key("flipped")).asByteArray());
    var faults = gw.cluster.faults(0, 0);
    faults.bitFlipOnRead(1.0);
    try {
      assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket("dur").key("flipped")).asByteArray());
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 5_000_000, 5_000_100),
          s3.getObjectAsBytes(b -> b.bucket("dur").key("flipped").range("bytes=5000000-5000099")).asByteArray());
    } finally {
      faults.heal();
    }
    assertFalse(data.length == 0);
  }

  /**
   * A chunk lost under a committed object (all its replicas) ends the GET early, never padded or
   * skipped: the streamed chunks before it arrive, then the connection closes short of
   * Content-Length. The buffers read ahead are released (the paranoid leak detector of the test
   * JVM would report them) and the gateway goes on serving, the other chunks included.
   */
  @Test
  void aChunkLostOnEveryReplicaFailsTheGetInsteadOfReturningWrongBytes() throws Exception {
    byte[] data = randomBytes((13 << 20) + 5, 7);
    ObjectRecord rec = putAndRecord("lost", data);
    ChunkClient chunks = gw.cluster.client().chunks();
    ByteString dataId = ByteString.copyFromUtf8(rec.segments().get(0).dataId());
    chunks.delete(chunks.chunkId(gw.cluster.poolId(), dataId, 2)).join();
    assertTrue(chunks.read(chunks.chunkId(gw.cluster.poolId(), dataId, 2), 0, 0).join().isEmpty());

    assertThrows(Exception.class, () -> s3.getObjectAsBytes(b -> b.bucket("dur").key("lost")));
    int chunk = rec.chunkBytes();
    assertArrayEquals(java.util.Arrays.copyOfRange(data, chunk - 10, chunk + 10),
        s3.getObjectAsBytes(b -> b.bucket("dur").key("lost").range("bytes=" + (chunk - 10) + "-" + (chunk + 9))).asByteArray(),
        "chunks 0 and 1 still read, across their boundary");
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 3 * chunk, data.length),
        s3.getObjectAsBytes(b -> b.bucket("dur").key("lost").range("bytes=" + (3 * chunk) + "-")).asByteArray());
    assertThrows(Exception.class, () -> s3.getObjectAsBytes(b -> b.bucket("dur").key("lost")
        .range("bytes=" + (2 * chunk + 1) + "-" + (2 * chunk + 2))));
  }
}

package io.strata.s3.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.common.Metrics;
import io.strata.s3.S3Config;
import io.strata.s3.S3Server;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * A gateway guesses that an overwritten key still has the head it committed last. Two gateways on
 * one cluster make those guesses stale on purpose: every PUT must still land on the newest head
 * (nothing lost, no version dropped, old data collected as usual), and the counters say which
 * PUTs used a guess and which found it stale.
 */
class HeadGuessTest {
  static GatewayFixture gw;
  static S3Server second;
  static S3Client a;
  static S3Client b;
  static final LongAdder HITS = Metrics.global().counter("strata_s3_head_guesses_total{result=\"hit\"}", "");
  static final LongAdder STALE = Metrics.global().counter("strata_s3_head_guesses_total{result=\"stale\"}", "");

  @BeforeAll
  static void start() throws Exception {
    gw = new GatewayFixture(S3Config.defaults());
    second = new S3Server(gw.cluster.client(), gw.cluster.poolId(), "127.0.0.1", 0, S3Config.defaults()).start();
    a = DurabilityTest.client(gw.server.port());
    b = DurabilityTest.client(second.port());
    a.createBucket(r -> r.bucket("plain"));
    a.createBucket(r -> r.bucket("kept"));
    a.putBucketVersioning(r -> r.bucket("kept").versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
  }

  @AfterAll
  static void stop() {
    if (second != null) {
      second.close();
    }
    if (gw != null) {
      gw.close();
    }
  }

  static void put(S3Client c, String bucket, String key, byte[] data) {
    c.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(data));
  }

  static byte[] get(S3Client c, String bucket, String key) {
    return c.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
  }

  static byte[] bytes(int n, long seed) {
    byte[] d = new byte[n];
    new Random(seed).nextBytes(d);
    return d;
  }

  @Test
  void overwritesLandOnTheNewestHeadWhoeverWroteIt() {
    long hits = HITS.sum();
    long stale = STALE.sum();
    put(a, "plain", "k", bytes(4096, 1));
    put(a, "plain", "k", bytes(4096, 2));        // a's own head: a hit
    assertEquals(hits + 1, HITS.sum());
    put(b, "plain", "k", bytes(4096, 3));        // b has no guess: "new key", refused, retried
    put(a, "plain", "k", bytes(4096, 4));        // a's guess is b's predecessor: stale, retried
    assertEquals(stale + 1, STALE.sum());
    assertArrayEquals(bytes(4096, 4), get(b, "plain", "k"));
    put(a, "plain", "k", bytes(2 << 20, 5));     // chunked now: a hit again, on its own retried head
    assertEquals(hits + 2, HITS.sum());
    b.deleteObject(r -> r.bucket("plain").key("k"));
    put(a, "plain", "k", bytes(100, 6));         // a remembers a head that b deleted: stale
    assertEquals(stale + 2, STALE.sum());
    assertArrayEquals(bytes(100, 6), get(b, "plain", "k"));
    assertEquals(1, a.listObjectsV2(r -> r.bucket("plain")).keyCount());
  }

  @Test
  void aStaleGuessDropsNoVersion() {
    put(a, "kept", "v", bytes(10, 1));
    put(b, "kept", "v", bytes(20, 2));
    put(a, "kept", "v", bytes(30, 3));   // stale guess on a versioned key
    put(a, "kept", "v", bytes(40, 4));   // a hit
    List<ObjectVersion> versions = a.listObjectVersions(r -> r.bucket("kept").prefix("v")).versions();
    assertEquals(List.of(40L, 30L, 20L, 10L), versions.stream().map(ObjectVersion::size).toList());
    assertEquals(true, versions.get(0).isLatest());
    for (ObjectVersion v : versions) {
      assertArrayEquals(bytes(v.size().intValue(), v.size() / 10), a.getObjectAsBytes(r -> r.bucket("kept").key("v")
          .versionId(v.versionId())).asByteArray());
    }
  }
}

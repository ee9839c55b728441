package io.strata.s3.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.minicluster.MiniCluster;
import io.strata.s3.S3Config;
import io.strata.s3.auth.SigV4Crypto;
import io.strata.s3.store.ObjectRecord;
import io.strata.s3.store.S3Keys;
import io.strata.s3.store.Segment;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a 200 promises and what an overwrite frees: data is on the replicas before the commit
 * (readable with a datanode down), and replaced data is deleted by the garbage collector.
 */
class ObjectLifecycleTest {
  static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw = new GatewayFixture(S3Config.defaults());
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  static String host() {
    return "127.0.0.1:" + gw.server.port();
  }

  static String put(RawClient c, String path, byte[] body) throws Exception {
    c.send(RawClient.signedHead("PUT", path, "", host(), Map.of(), SigV4Crypto.sha256Hex(body), body.length));
    c.send(body);
    return c.readResponse();
  }

  static ObjectRecord record(String bucket, String key) {
    return ObjectRecord.decode(gw.cluster.client().metadata().get(S3Keys.OBJECTS, S3Keys.object(bucket, key))
        .orElseThrow().getValue().toByteArray());
  }

  static boolean chunkExists(Segment s, long index) {
    ChunkClient chunks = gw.cluster.client().chunks();
    return chunks.read(chunks.chunkId(gw.cluster.poolId(), ByteString.copyFromUtf8(s.dataId()), index), 0, 0).join().isPresent();
  }

  @Test
  void overwriteFreesOldChunksAndAcknowledgedDataSurvivesADatanode() throws Exception {
    byte[] big = new byte[9 << 20];
    new Random(3).nextBytes(big);
    byte[] small = "replacement".getBytes();
    try (RawClient c = new RawClient(gw.server.port())) {
      c.send(RawClient.signedHead("PUT", "/life", "", host(), Map.of(), SigV4Crypto.EMPTY_SHA256, 0));
      assertTrue(c.readResponse().startsWith("HTTP/1.1 200"));
      assertTrue(put(c, "/life/obj", big).startsWith("HTTP/1.1 200"));
    }
    ObjectRecord first = record("life", "obj");
    assertEquals(big.length, first.size());
    Segment old = first.segments().get(0);
    assertEquals(3, old.chunkCount(first.chunkBytes()));
    assertTrue(chunkExists(old, 2));

    gw.cluster.killDatanode(0);
    try (RawClient c = new RawClient(gw.server.port())) {
      c.send(RawClient.signedHead("GET", "/life/obj", "", host(), Map.of(), SigV4Crypto.EMPTY_SHA256, -1));
      String r = c.readResponse();
      assertTrue(r.startsWith("HTTP/1.1 200"), r.substring(0, Math.min(200, r.length())));
      byte[] got = r.substring(r.indexOf("\r\n\r\n") + 4).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      assertTrue(Arrays.equals(big, got), "read back what was written, with a datanode down");
    }
    gw.cluster.restartDatanode(0);
    gw.cluster.waitHealthy(Duration.ofSeconds(60));

    try (RawClient c = new RawClient(gw.server.port())) {
      assertTrue(put(c, "/life/obj", small).startsWith("HTTP/1.1 200"));
    }
    gw.server.garbageCollector().sweep();
    MiniCluster.waitFor(() -> !chunkExists(old, 0) && !chunkExists(old, 1) && !chunkExists(old, 2),
        Duration.ofSeconds(30), "old chunks deleted");
    assertTrue(gw.cluster.client().metadata().scan(S3Keys.GC, new byte[0], new byte[0], 10).getEntriesList().isEmpty());
    assertTrue(gw.cluster.client().metadata().scan(S3Keys.INTENTS, new byte[0], new byte[0], 10).getEntriesList().isEmpty());
    assertEquals(small.length, record("life", "obj").size());
  }
}

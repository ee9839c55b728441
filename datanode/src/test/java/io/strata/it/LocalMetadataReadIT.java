package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.common.Metrics;
import io.strata.metadata.client.MetadataClient;
import io.strata.metadata.server.LocalLeader;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With local metadata calls on (as in the embedded cloud), commands are committed and reads
 * answered by the leader of this process without a Raft client; reads see every write
 * acknowledged before them, and both keep working across a leader kill (commands are retried
 * with their call id until a new local leader takes them).
 */
class LocalMetadataReadIT {
  private static final LongAdder LOCAL_READS = Metrics.global().counter("strata_meta_local_reads_total", "");
  private static final LongAdder LOCAL_COMMANDS = Metrics.global().counter("strata_meta_local_commands_total", "");

  private final boolean wasEnabled = LocalLeader.enabled();

  @AfterEach
  void asBefore() {
    LocalLeader.enable(wasEnabled);
  }

  @Test
  void readsSeeEveryAcknowledgedWriteAcrossALeaderKill() throws Exception {
    LocalLeader.enable(true);
    try (MiniCluster c = MiniCluster.builder().build()) {
      MetadataClient meta = c.client().metadata();
      long before = LOCAL_READS.sum();
      long commandsBefore = LOCAL_COMMANDS.sum();
      writeThenRead(meta, 0, 200);
      assertTrue(LOCAL_READS.sum() - before >= 200, "reads answered locally: " + (LOCAL_READS.sum() - before));
      assertTrue(LOCAL_COMMANDS.sum() - commandsBefore >= 200, "commands committed locally: "
          + (LOCAL_COMMANDS.sum() - commandsBefore));

      int leader = c.metadataLeader();
      c.killMetadata(leader);
      writeThenRead(meta, 200, 100);  // through a failover: locally or through the client, never stale
      c.restartMetadata(leader);
      MiniCluster.waitFor(() -> c.metadataLeader() >= 0, Duration.ofSeconds(30), "a leader");
      long afterFailover = LOCAL_READS.sum();
      writeThenRead(meta, 300, 100);
      assertTrue(LOCAL_READS.sum() > afterFailover, "the new leader answers locally");
    }
  }

  /** Each key written, then read back at once: a linearizable read must see it. */
  private static void writeThenRead(MetadataClient meta, int from, int count) {
    for (int i = from; i < from + count; i++) {
      byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
      byte[] value = ("v" + i).getBytes(StandardCharsets.UTF_8);
      meta.txn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace("local-read")
          .setKey(ByteString.copyFrom(key)).setValue(ByteString.copyFrom(value))).build());
      assertArrayEquals(value, meta.get("local-read", key).orElseThrow().getValue().toByteArray(), "key " + i);
    }
  }
}

package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.metadata.server.MetadataServer;
import io.strata.metadata.server.RatisSettings;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.KvGet;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaQuery;
import io.strata.proto.MetaQueryReply;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;

/**
 * A linearizable read that reaches a follower is sent on to the leader, not left unanswered.
 * Ratis' Netty transport cannot ask the leader for a read index, and a follower used to drop
 * such a read until the client's request timeout (5 s) expired (a 15 s stall in
 * MalformedInputIT); see {@code LeaderReadsNetty}.
 */
class FollowerReadIT {
  @Test
  void aReadSentToAFollowerIsAnsweredThroughTheLeader() throws Exception {
    try (MiniCluster c = MiniCluster.builder().datanodes(1).replication(1, 1).pgCount(4).build()) {
      c.client().metadata().txn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace("it")
          .setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v"))).build());
      String follower = null;
      for (int i = 0; i < 3 && follower == null; i++) {
        if (!c.metadata(i).isLeader()) {
          follower = c.metadata(i).peerId();
        }
      }
      RaftProperties p = RatisSettings.common();
      RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(5, TimeUnit.SECONDS));
      try (RaftClient raw = RaftClient.newBuilder().setProperties(p)
          .setRaftGroup(MetadataServer.group(c.metadataPeers()))
          .setLeaderId(RaftPeerId.valueOf(follower))
          .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(10,
              TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
          .build()) {
        byte[] q = MetaQuery.newBuilder().setKvGet(KvGet.newBuilder().setNamespace("it")
            .setKey(ByteString.copyFromUtf8("k"))).build().toByteArray();
        // Well inside one request timeout: the follower's NotLeader reply redirects at once.
        RaftClientReply reply = assertTimeoutPreemptively(Duration.ofSeconds(4), () -> raw.io().sendReadOnly(
            Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(q))));
        assertTrue(reply.isSuccess(), "read answered: " + reply.getException());
        MetaQueryReply r = MetaQueryReply.parseFrom(reply.getMessage().getContent().toByteArray());
        assertEquals("v", r.getEntries(0).getValue().toStringUtf8());
      }
    }
  }
}

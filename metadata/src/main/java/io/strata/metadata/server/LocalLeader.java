package io.strata.metadata.server;

import io.strata.common.Metrics;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.server.RaftServer;

/**
 * The metadata peers of this process, for linearizable reads that need no Raft client: when the
 * embedded cloud runs gateways and metadata peers in one JVM, a read goes straight to the local
 * leader's request handling ({@link RaftServer#submitClientRequestAsync}), which checks its leader
 * lease and answers at an index that covers every committed command, exactly as for a read that
 * came over the network. What it saves is the client and server transport: in a profile of S3 4 KiB
 * GETs, the Ratis client thread and the server's Netty handler took 39% of the samples (2026-12-07).
 * Commands keep going through the Raft client, whose retry cache makes a retried command apply
 * once. Off unless {@link #enable} (the embedded cloud does).
 */
public final class LocalLeader {
  private static final Map<String, RaftServer> PEERS = new ConcurrentHashMap<>();
  private static final ClientId CLIENT = ClientId.randomId();
  private static final AtomicLong CALL_IDS = new AtomicLong();
  /** {@code -Dstrata.metadata.local=true} turns local reads on everywhere (to run the test suite with them). */
  private static volatile boolean enabled = Boolean.getBoolean("strata.metadata.local");
  private static final LongAdder READS = Metrics.global().counter("strata_meta_local_reads_total",
      "linearizable metadata reads answered by a leader in this process without a Raft client");

  private LocalLeader() {}

  /** Lets metadata clients of this process read from a local leader from now on. */
  public static void enable(boolean on) {
    enabled = on;
  }

  /** A started peer, by the address its group knows it at (unique while it runs, unlike its id). */
  static void register(String address, RaftServer server) {
    PEERS.put(address, server);
  }

  static void unregister(String address, RaftServer server) {
    PEERS.remove(address, server);
  }

  /**
   * The read, answered by a ready leader of this process among {@code peerAddresses} (the
   * caller's group: tests run several clusters in one JVM), or empty when there is none: the
   * caller then reads through its Raft client. A read is idempotent, so a failed local try is
   * simply asked again that way (the future then completes with null).
   */
  public static Optional<CompletableFuture<RaftClientReply>> read(Collection<String> peerAddresses, Message query) {
    if (!enabled) {
      return Optional.empty();
    }
    for (String address : peerAddresses) {
      RaftServer s = PEERS.get(address);
      if (s == null) {
        continue;
      }
      RaftServer.Division d;
      try {
        d = s.getDivision(MetadataServer.GROUP_ID);
      } catch (IOException | RuntimeException e) {
        continue;  // closing, or not (yet) a member
      }
      if (!d.getInfo().isLeaderReady()) {
        continue;
      }
      RaftClientRequest req = RaftClientRequest.newBuilder().setClientId(CLIENT).setServerId(d.getId())
          .setGroupId(MetadataServer.GROUP_ID).setCallId(CALL_IDS.incrementAndGet()).setMessage(query)
          .setType(RaftClientRequest.readRequestType()).build();
      try {
        return Optional.of(s.submitClientRequestAsync(req).handle((r, t) -> {
          if (t != null || r == null || !r.isSuccess()) {
            return null;
          }
          READS.increment();
          return r;
        }));
      } catch (IOException | RuntimeException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}

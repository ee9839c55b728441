package io.strata.metadata.server;

import io.strata.common.Metrics;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.server.RaftServer;

/**
 * The metadata peers of this process, for commands and linearizable reads that need no Raft
 * client: when the
 * embedded cloud runs gateways and metadata peers in one JVM, a read goes straight to the local
 * leader's request handling ({@link RaftServer#submitClientRequestAsync}), which checks its leader
 * lease and answers at an index that covers every committed command, exactly as for a read that
 * came over the network. What it saves is the client and server transport: in a profile of S3 4 KiB
 * GETs, the Ratis client thread and the server's Netty handler took 39% of the samples (2026-12-07).
 * Commands go to the local leader the same way ({@link #submit}), retried with one call id as a
 * Raft client retries them. Off unless {@link #enable} (the embedded cloud does).
 */
public final class LocalLeader {
  private static final Map<String, RaftServer> PEERS = new ConcurrentHashMap<>();
  private static final ClientId CLIENT = ClientId.randomId();
  private static final AtomicLong CALL_IDS = new AtomicLong();
  /** {@code -Dstrata.metadata.local=true} turns local reads on everywhere (to run the test suite with them). */
  private static volatile boolean enabled = Boolean.getBoolean("strata.metadata.local");
  private static final LongAdder READS = Metrics.global().counter("strata_meta_local_reads_total",
      "linearizable metadata reads answered by a leader in this process without a Raft client");
  private static final LongAdder COMMANDS = Metrics.global().counter("strata_meta_local_commands_total",
      "metadata entries committed through a leader in this process without a Raft client");
  static final long RETRY_MILLIS = 50;
  private static final ScheduledExecutorService RETRIES = Executors.newSingleThreadScheduledExecutor(
      io.strata.common.Threads.daemon("metadata-local-retry"));

  private LocalLeader() {}

  /** Lets metadata clients of this process read from and commit through a local leader from now on. */
  public static void enable(boolean on) {
    enabled = on;
  }

  public static boolean enabled() {
    return enabled;
  }

  /** A started peer, by the address its group knows it at (unique while it runs, unlike its id). */
  static void register(String address, RaftServer server) {
    PEERS.put(address, server);
  }

  static void unregister(String address, RaftServer server) {
    PEERS.remove(address, server);
  }

  /**
   * The command, committed through a leader of this process among {@code peerAddresses}, or
   * empty when none of them runs here: the caller then sends it through its Raft client. Every
   * try carries the same client and call id, as a Raft client's retries do, so a command that a
   * leader appended before it stepped down is answered from the retry cache, not applied twice.
   * Tries go to whichever local peer is the ready leader, every {@link #RETRY_MILLIS} while there
   * is none (an election), for at most {@code timeoutMillis}.
   */
  public static Optional<CompletableFuture<RaftClientReply>> submit(Collection<String> peerAddresses, Message command,
                                                                    long timeoutMillis) {
    if (!enabled || peerAddresses.stream().noneMatch(PEERS::containsKey)) {
      return Optional.empty();
    }
    CompletableFuture<RaftClientReply> result = new CompletableFuture<>();
    trySubmit(List.copyOf(peerAddresses), command, CALL_IDS.incrementAndGet(),
        System.nanoTime() + timeoutMillis * 1_000_000L, result);
    return Optional.of(result);
  }

  private static void trySubmit(List<String> peerAddresses, Message command, long callId, long deadlineNanos,
                                CompletableFuture<RaftClientReply> result) {
    Leader leader = readyLeader(peerAddresses);
    if (leader == null) {
      retryLater(peerAddresses, command, callId, deadlineNanos, result, null);
      return;
    }
    CompletableFuture<RaftClientReply> f;
    try {
      f = leader.submit(callId, command, RaftClientRequest.writeRequestType());
    } catch (IOException | RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((r, t) -> {
      if (t == null && r != null && (r.isSuccess() || !retryable(r))) {
        COMMANDS.increment();
        result.complete(r);
      } else {
        retryLater(peerAddresses, command, callId, deadlineNanos, result, t != null ? t : r.getException());
      }
    });
  }

  /** Leadership moved or is being decided: the same request again, to whoever leads next. */
  private static boolean retryable(RaftClientReply r) {
    return r.getNotLeaderException() != null || r.getLeaderNotReadyException() != null
        || r.getAlreadyClosedException() != null || r.getLeaderSteppingDownException() != null;
  }

  private static void retryLater(List<String> peerAddresses, Message command, long callId, long deadlineNanos,
                                 CompletableFuture<RaftClientReply> result, Throwable last) {
    if (System.nanoTime() - deadlineNanos >= 0) {
      result.completeExceptionally(new IOException("no local metadata leader committed the command in time", last));
      return;
    }
    RETRIES.schedule(() -> trySubmit(peerAddresses, command, callId, deadlineNanos, result),
        RETRY_MILLIS, TimeUnit.MILLISECONDS);
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
    Leader leader = readyLeader(peerAddresses);
    if (leader == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(leader.submit(CALL_IDS.incrementAndGet(), query, RaftClientRequest.readRequestType())
          .handle((r, t) -> {
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

  /** A local peer among {@code peerAddresses} that is the group's ready leader, or null. */
  private static Leader readyLeader(Collection<String> peerAddresses) {
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
      if (d != null && d.getInfo().isLeaderReady()) {
        return new Leader(s, d);
      }
    }
    return null;
  }

  private record Leader(RaftServer server, RaftServer.Division division) {
    /** The request handling a request from the network gets, without the transport. */
    CompletableFuture<RaftClientReply> submit(long callId, Message message, RaftClientRequest.Type type)
        throws IOException {
      return server.submitClientRequestAsync(RaftClientRequest.newBuilder().setClientId(CLIENT)
          .setServerId(division.getId()).setGroupId(MetadataServer.GROUP_ID).setCallId(callId)
          .setMessage(message).setType(type).build());
    }
  }
}

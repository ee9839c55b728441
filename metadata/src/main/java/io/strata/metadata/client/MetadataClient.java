package io.strata.metadata.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.common.Deadlines;
import io.strata.common.Metrics;
import io.strata.common.RpcBatcher;
import io.strata.metadata.server.LocalLeader;
import io.strata.metadata.server.MetadataServer;
import io.strata.metadata.server.RatisSettings;
import io.strata.proto.AllocateIds;
import io.strata.proto.ClusterMap;
import io.strata.proto.CreatePool;
import io.strata.proto.GetClusterMap;
import io.strata.proto.KvEntry;
import io.strata.proto.KvGet;
import io.strata.proto.KvScan;
import io.strata.proto.KvTxn;
import io.strata.proto.MetaCommand;
import io.strata.proto.MetaQuery;
import io.strata.proto.MetaQueryBatch;
import io.strata.proto.MetaQueryReply;
import io.strata.proto.MetaReply;
import io.strata.proto.MetaRequest;
import io.strata.proto.MetaResult;
import io.strata.proto.MetaStatus;
import io.strata.proto.RaiseFence;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * The metadata seam every other module uses. Finds the Raft leader (Ratis does), merges
 * concurrent commands into one log entry (see {@link CommandBatcher}), and turns replies into
 * results or {@link MetaException}s. Every call is bounded by {@link #CALL_TIMEOUT_SECONDS}.
 */
public final class MetadataClient implements AutoCloseable {
  public static final long CALL_TIMEOUT_SECONDS = 30;
  static final int RETRY_ATTEMPTS = 100;
  static final long RETRY_SLEEP_MILLIS = 200;

  private final RaftClient raft;
  /** Reads have a client of their own, so they never wait in the writes' ordered window. */
  private final RaftClient reads;
  /**
   * One command entry in flight: every command that arrives meanwhile leaves in the next entry.
   * At 8 in flight (MetaLoad, 2026-12-08) that gave 3,983–4,411 commits/s against 2,765–3,036
   * with 2 entries in flight, at 390–440 CPU-µs per commit against 565–630; one in flight costs
   * nothing at queue depth 1 (docs/benchmarks.md). {@code -Dstrata.meta.batchInFlight=N}: for
   * experiments.
   */
  static final int BATCH_IN_FLIGHT = Integer.getInteger("strata.meta.batchInFlight", 1);
  /** Reads are answered by the leader alone (a lease): two in flight keep its loop busy. */
  static final int GET_BATCH_IN_FLIGHT = 2;
  static final int BATCH_COMMANDS = 512;
  static final int BATCH_BYTES = 4 << 20;
  static final int QUEUED_COMMANDS = 100_000;

  /**
   * Merges concurrent commands into one Raft entry (PERFORMANCE.md rule 1): while fewer than
   * {@link #BATCH_IN_FLIGHT} entries are outstanding a command leaves at once, otherwise it leaves
   * with the next entry, so entries grow exactly when the log is the bottleneck.
   */
  private final RpcBatcher<MetaCommand, MetaResult> batcher;
  private final List<String> peerAddresses;
  /** Merges concurrent gets the same way (see {@link #sendGets}). */
  private final RpcBatcher<MetaQuery, MetaQueryReply> getBatcher;
  static final int GET_BATCH_QUERIES = 64;

  /** Where a caller's metadata time goes: Raft entries (each a merged batch) and reads, summed. */
  private static final LongAdder ENTRIES = Metrics.global().counter("strata_meta_client_entries_total",
      "Raft entries (merged command batches) this process's metadata clients sent");
  private static final LongAdder ENTRY_COMMANDS = Metrics.global().counter("strata_meta_client_commands_total",
      "commands carried by those entries");
  private static final LongAdder ENTRY_MICROS = Metrics.global().counter("strata_meta_client_entry_micros_total",
      "summed time from sending an entry to its reply, microseconds");
  private static final LongAdder QUERIES = Metrics.global().counter("strata_meta_client_queries_total",
      "linearizable reads this process's metadata clients sent");
  private static final LongAdder QUERY_MICROS = Metrics.global().counter("strata_meta_client_query_micros_total",
      "summed time from sending a read to its reply, microseconds");

  /**
   * Where local commands, and local reads that had to wait for the leader to apply, complete
   * their callers' futures: not on a Ratis thread (the state machine's apply thread), which a
   * caller's continuation must never block.
   */
  private static final java.util.concurrent.Executor LOCAL_CALLBACKS = java.util.concurrent.Executors
      .newFixedThreadPool(2, io.strata.common.Threads.daemon("metadata-local"));

  public MetadataClient(Map<String, String> peers) {
    RaftProperties p = RatisSettings.common();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(5, TimeUnit.SECONDS));
    this.peerAddresses = List.copyOf(peers.values());
    this.raft = newRaftClient(p, peers);
    this.reads = newRaftClient(p, peers);
    this.batcher = new RpcBatcher<>(this::sendBatch, MetaCommand::getSerializedSize, BATCH_IN_FLIGHT,
        BATCH_COMMANDS, BATCH_BYTES, QUEUED_COMMANDS);
    this.getBatcher = new RpcBatcher<>(this::sendGets, MetaQuery::getSerializedSize, GET_BATCH_IN_FLIGHT,
        GET_BATCH_QUERIES, BATCH_BYTES, QUEUED_COMMANDS);
  }

  private static RaftClient newRaftClient(RaftProperties p, Map<String, String> peers) {
    return RaftClient.newBuilder()
        .setProperties(p)
        .setRaftGroup(MetadataServer.group(peers))
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(RETRY_ATTEMPTS,
            TimeDuration.valueOf(RETRY_SLEEP_MILLIS, TimeUnit.MILLISECONDS)))
        .build();
  }

  /** Submits one command; concurrent submissions share Raft entries. */
  public CompletableFuture<MetaResult> submit(MetaCommand command) {
    return Deadlines.within(batcher.submit(command), CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private CompletableFuture<List<MetaResult>> sendBatch(List<MetaCommand> commands) {
    byte[] bytes = MetaRequest.newBuilder().addAllCommands(commands).build().toByteArray();
    long start = System.nanoTime();
    Message m = Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes));
    CompletableFuture<RaftClientReply> sent = LocalLeader.submit(peerAddresses, m, CALL_TIMEOUT_SECONDS * 1000)
        .map(local -> local.thenApplyAsync(r -> r, LOCAL_CALLBACKS))  // never on the leader's apply thread
        .orElseGet(() -> raft.async().send(m));
    return sent.thenApply(reply -> {
      ENTRIES.increment();
      ENTRY_COMMANDS.add(commands.size());
      ENTRY_MICROS.add((System.nanoTime() - start) / 1000);
      MetaReply r = parse(reply, MetaReply::parseFrom);
      if (r.getResultsCount() != commands.size()) {
        throw new MetaException(MetaStatus.META_UNAVAILABLE, "reply has " + r.getResultsCount()
            + " results for " + commands.size() + " commands");
      }
      return r.getResultsList();
    });
  }

  /**
   * Linearizable read, sent by the reads' own Raft client: a read does not queue behind this
   * client's earlier commands in Ratis' ordered sliding window (one slow commit would hold up
   * every read; Ratis' Netty transport has no unordered requests). It still sees every command
   * whose future completed before it was sent, as the leader answers it only once it has
   * applied everything committed when the read arrived.
   */
  public CompletableFuture<MetaQueryReply> query(MetaQuery q) {
    CompletableFuture<MetaQueryReply> f = q.hasKvGet() ? getBatcher.submit(q) : read(q);
    return Deadlines.within(f, CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Concurrent gets leave together, as one batch query answered at one read index (each still
   * sees every command completed before it was submitted): on this machine a Raft read costs
   * mostly thread wake-ups, a dozen per message whatever it carries (2026-12-07 profile).
   */
  private CompletableFuture<List<MetaQueryReply>> sendGets(List<MetaQuery> gets) {
    if (gets.size() == 1) {
      return read(gets.get(0)).thenApply(List::of);
    }
    MetaQuery batch = MetaQuery.newBuilder().setBatch(MetaQueryBatch.newBuilder().addAllQueries(gets)).build();
    return read(batch).thenApply(r -> {
      if (r.getBatchCount() != gets.size()) {
        throw new MetaException(r.getStatus() != MetaStatus.META_OK ? r.getStatus() : MetaStatus.META_UNAVAILABLE,
            "batch reply has " + r.getBatchCount() + " replies for " + gets.size() + " queries: " + r.getMessage());
      }
      return r.getBatchList();
    });
  }

  private CompletableFuture<MetaQueryReply> read(MetaQuery q) {
    long start = System.nanoTime();
    Message m = Message.valueOf(UnsafeByteOperations.unsafeWrap(q.toByteArray()));
    CompletableFuture<RaftClientReply> reply = LocalLeader.read(peerAddresses, m)
        .map(local -> local.isDone() ? local : local.thenApplyAsync(r -> r, LOCAL_CALLBACKS))
        .map(local -> local.thenCompose(r -> r != null ? CompletableFuture.completedFuture(r)
            : reads.async().sendReadOnly(m)))
        .orElseGet(() -> reads.async().sendReadOnly(m));
    return reply.thenApply(r -> {
      QUERIES.increment();
      QUERY_MICROS.add((System.nanoTime() - start) / 1000);
      return parse(r, MetaQueryReply::parseFrom);
    });
  }

  private interface Parser<T> {
    T parse(byte[] b) throws InvalidProtocolBufferException;
  }

  private static <T> T parse(RaftClientReply reply, Parser<T> parser) {
    if (!reply.isSuccess()) {
      throw new MetaException("metadata request failed", reply.getException());
    }
    try {
      return parser.parse(reply.getMessage().getContent().toByteArray());
    } catch (InvalidProtocolBufferException e) {
      throw new MetaException("unparsable metadata reply", e);
    }
  }

  // ---- conveniences: blocking, throwing MetaException for any non-OK status ----

  public MetaResult call(MetaCommand c) {
    MetaResult r = join(submit(c));
    if (r.getStatus() != MetaStatus.META_OK) {
      throw new MetaException(r.getStatus(), r.getMessage(), r.hasConflict() ? r.getConflict() : null);
    }
    return r;
  }

  public MetaQueryReply ask(MetaQuery q) {
    MetaQueryReply r = join(query(q));
    if (r.getStatus() != MetaStatus.META_OK && r.getStatus() != MetaStatus.META_NOT_FOUND) {
      throw new MetaException(r.getStatus(), r.getMessage());
    }
    return r;
  }

  public long txn(KvTxn t) {
    return call(MetaCommand.newBuilder().setKvTxn(t).build()).getAppliedIndex();
  }

  /** Like {@link #txn}, with the whole result: {@code map_epoch} is set when the txn changed fences. */
  public MetaResult txnResult(KvTxn t) {
    return call(MetaCommand.newBuilder().setKvTxn(t).build());
  }

  /**
   * Raises the fence of {@code key} to at least {@code epoch} and returns the map epoch that
   * carries it. The fence holds on a datanode once it has that map; see
   * {@code io.strata.client.Fencing#raise} for the call that also waits until every datanode has it.
   */
  public long raiseFence(String key, long epoch) {
    return call(MetaCommand.newBuilder().setRaiseFence(RaiseFence.newBuilder().setKey(key).setEpoch(epoch))
        .build()).getMapEpoch();
  }

  public Optional<KvEntry> get(String namespace, byte[] key) {
    MetaQueryReply r = ask(MetaQuery.newBuilder().setKvGet(KvGet.newBuilder()
        .setNamespace(namespace).setKey(ByteString.copyFrom(key))).build());
    return r.getEntriesCount() == 0 ? Optional.empty() : Optional.of(r.getEntries(0));
  }

  /** One page of a prefix scan; {@code startAfter} is exclusive. */
  public MetaQueryReply scan(String namespace, byte[] prefix, byte[] startAfter, int limit) {
    return ask(MetaQuery.newBuilder().setKvScan(KvScan.newBuilder().setNamespace(namespace)
        .setPrefix(ByteString.copyFrom(prefix)).setStartAfter(ByteString.copyFrom(startAfter))
        .setLimit(limit)).build());
  }

  public long allocateIds(String counter, long count) {
    return call(MetaCommand.newBuilder().setAllocateIds(AllocateIds.newBuilder()
        .setCounter(counter).setCount(count)).build()).getFirstId();
  }

  /** Creates the pool or returns the id of the existing one of that name. */
  public int createPool(String name, int replication, int minReplicas, int pgCount) {
    MetaResult r = join(submit(MetaCommand.newBuilder().setCreatePool(CreatePool.newBuilder()
        .setName(name).setReplication(replication).setMinReplicas(minReplicas).setPgCount(pgCount)).build()));
    if (r.getStatus() != MetaStatus.META_OK && r.getStatus() != MetaStatus.META_ALREADY_EXISTS) {
      throw new MetaException(r.getStatus(), r.getMessage());
    }
    return r.getPoolId();
  }

  /** The cluster map if its epoch is newer than {@code epoch} (0 = always). */
  public Optional<ClusterMap> clusterMap(long epoch) {
    MetaQueryReply r = ask(MetaQuery.newBuilder().setGetClusterMap(GetClusterMap.newBuilder()
        .setIfNewerThan(epoch)).build());
    return r.hasClusterMap() ? Optional.of(r.getClusterMap()) : Optional.empty();
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof MetaException me) {
        throw me;
      }
      throw new MetaException("metadata call failed: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() {
    batcher.close();
    getBatcher.close();
    try (RaftClient r = reads) {
      raft.close();
    } catch (java.io.IOException e) {
      // closing a client has nothing left to protect
    }
  }

}

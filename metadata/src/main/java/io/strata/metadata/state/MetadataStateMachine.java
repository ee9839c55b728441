package io.strata.metadata.state;

import io.strata.common.Metrics;
import io.strata.metadata.store.Batch;
import io.strata.metadata.store.MetaStore;
import io.strata.proto.ClusterMap;
import io.strata.proto.MetaCommand;
import io.strata.proto.MetaLogEntry;
import io.strata.proto.MetaReply;
import io.strata.proto.MetaRequest;
import io.strata.proto.MetaResult;
import io.strata.proto.MetaStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Raft state machine of the metadata service. The leader validates a request and stamps
 * its time into the log entry ({@link #startTransaction}); {@link #applyTransaction} then applies
 * every command of the entry in order into one RocksDB batch together with the applied index.
 * apply() reads no clock and no randomness, so every peer reaches the same state.
 */
public final class MetadataStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);
  static final int MAX_COMMANDS_PER_ENTRY = 10_000;

  private final Path dbDir;
  private final SnapshotStore snapshots = new SnapshotStore();
  private final ClusterState cluster = new ClusterState();
  private final ClusterCommands clusterCommands = new ClusterCommands(cluster);
  private final KvCommands kvCommands = new KvCommands();

  private final QueryHandler queries;
  private final AtomicLong lastStampMillis = new AtomicLong();
  private final AtomicLong installedSnapshots = new AtomicLong();
  private final LongAdder appliedCommands;
  private final LongAdder appliedEntries;
  private volatile MetaStore store;
  private volatile long storeIndexAtOpen;

  public MetadataStateMachine(Path dbDir) {
    this.dbDir = dbDir;
    this.queries = new QueryHandler(() -> store, cluster);
    this.appliedCommands = Metrics.global().counter("strata_meta_applied_commands_total",
        "metadata commands applied by this process's peers");
    this.appliedEntries = Metrics.global().counter("strata_meta_applied_entries_total",
        "metadata log entries applied by this process's peers");
  }

  /** How many snapshots Ratis installed into this peer (catch-up of a lagging follower). */
  public long installedSnapshots() {
    return installedSnapshots.get();
  }

  public ClusterMap clusterMap() {
    return cluster.map();
  }

  /**
   * The applied index the store held on disk when it was last opened: what survived the last stop.
   * Entries after it were replayed from the Raft log.
   */
  public long storeIndexAtOpen() {
    return storeIndexAtOpen;
  }

  /** This peer's own copy of a key (value without its version), no consensus involved. */
  public java.util.Optional<byte[]> localGet(String namespace, byte[] key) {
    MetaStore s = store;
    byte[] v = s == null ? null : s.get(MetaStore.Cf.KV, KvKeys.key(namespace, key));
    return v == null ? java.util.Optional.empty() : java.util.Optional.of(java.util.Arrays.copyOfRange(v, 8, v.length));
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    snapshots.init(raftStorage);
    getLifeCycle().startAndTransition(this::openOrRestore);
  }

  /** Ratis pauses the state machine before installing a snapshot into its directory. */
  @Override
  public void pause() {
    LifeCycle lc = getLifeCycle();
    if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
      lc.transition(LifeCycle.State.PAUSING);
      lc.transition(LifeCycle.State.PAUSED);
    }
  }

  @Override
  public void reinitialize() throws IOException {
    installedSnapshots.incrementAndGet();
    LOG.info("reloading metadata state after a snapshot was installed");
    snapshots.refresh();
    closeStore();
    openOrRestore();
    LifeCycle lc = getLifeCycle();
    if (lc.getCurrentState() == LifeCycle.State.PAUSED) {
      lc.transition(LifeCycle.State.STARTING);
      lc.transition(LifeCycle.State.RUNNING);
    }
  }

  /** Opens the live database, first rebuilding it from the newest snapshot if it is behind that. */
  private synchronized void openOrRestore() throws IOException {
    Path snap = snapshots.latestDir();
    long snapIndex = snapshots.getLatestSnapshot() == null ? -1 : snapshots.getLatestSnapshot().getIndex();
    MetaStore s = Files.exists(dbDir) ? new MetaStore(dbDir) : null;
    if (snap != null && (s == null || s.appliedTermIndex()[1] < snapIndex)) {
      LOG.info("restoring metadata store {} from snapshot {}", dbDir, snap);
      if (s != null) {
        s.close();
      }
      SnapshotStore.restore(snap, dbDir);
      s = new MetaStore(dbDir);
    }
    if (s == null) {
      s = new MetaStore(dbDir);
    }
    store = s;
    cluster.load(s);
    long[] ti = s.appliedTermIndex();
    storeIndexAtOpen = ti[1];
    setLastAppliedTermIndex(TermIndex.valueOf(ti[0], ti[1]));
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    MetaRequest req = MetaRequest.parseFrom(RatisBytes.input(request.getMessage().getContent()));
    if (req.getCommandsCount() == 0 || req.getCommandsCount() > MAX_COMMANDS_PER_ENTRY) {
      throw new IOException("a request carries 1.." + MAX_COMMANDS_PER_ENTRY + " commands, not "
          + req.getCommandsCount());
    }
    long now = lastStampMillis.updateAndGet(prev -> Math.max(prev, System.currentTimeMillis()));
    MetaLogEntry entry = MetaLogEntry.newBuilder().setLeaderTimeMillis(now)
        .addAllCommands(req.getCommandsList()).build();
    return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
        .setLogData(UnsafeByteOperations.unsafeWrap(entry.toByteArray())).build();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    MetaStore s = store;
    if (index <= s.appliedTermIndex()[1]) {
      // Replayed after a restart: already in the store (the applied index is in the same batch).
      advanceApplied(entry.getTerm(), index);
      return CompletableFuture.completedFuture(Message.EMPTY);
    }
    MetaReply.Builder reply = MetaReply.newBuilder();
    ByteString data = entry.getStateMachineLogEntry().getLogData();
    try (Batch batch = new Batch(s)) {
      MetaLogEntry le = parse(data);
      ApplyContext ctx = new ApplyContext(batch, index, le == null ? 0 : le.getLeaderTimeMillis());
      if (le == null) {
        reply.addResults(Results.error(MetaStatus.META_INVALID_ARGUMENT, "unparsable log entry " + index));
      } else {
        for (MetaCommand c : le.getCommandsList()) {
          reply.addResults(apply(ctx, c));
        }
        appliedCommands.add(le.getCommandsCount());
      }
      batch.commit(entry.getTerm(), index);
    }
    appliedEntries.increment();
    updateLastAppliedTermIndex(entry.getTerm(), index);
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply.build().toByteArray())));
  }

  /**
   * Entries without state machine data (configuration) move the applied index too. After a
   * restart Ratis replays the log from the last snapshot, while the store (and so the applied
   * index it reported at start) may be further on: the commit index is not in the log, and the
   * store's writes survive a process kill. A replayed index never moves the applied index back.
   */
  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    advanceApplied(term, index);
  }

  private void advanceApplied(long term, long index) {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || index > last.getIndex()) {
      updateLastAppliedTermIndex(term, index);
    }
  }

  private static MetaLogEntry parse(ByteString data) {
    try {
      return MetaLogEntry.parseFrom(RatisBytes.input(data));
    } catch (IOException e) {  // unparsable: from memory, nothing else can fail
      return null;
    }
  }

  private MetaResult apply(ApplyContext ctx, MetaCommand c) {
    return switch (c.getOpCase()) {
      case REGISTER_DATANODE -> clusterCommands.register(ctx, c.getRegisterDatanode());
      case HEARTBEAT -> clusterCommands.heartbeat(ctx, c.getHeartbeat());
      case SET_NODE_STATE -> clusterCommands.setNodeState(ctx, c.getSetNodeState());
      case CREATE_POOL -> clusterCommands.createPool(ctx, c.getCreatePool());
      case ALLOCATE_IDS -> kvCommands.allocate(ctx, c.getAllocateIds());
      case KV_TXN -> kvCommands.txn(ctx, c.getKvTxn(), clusterCommands);
      case RAISE_FENCE -> clusterCommands.raiseFence(ctx, c.getRaiseFence());
      case OP_NOT_SET -> Results.error(MetaStatus.META_INVALID_ARGUMENT, "empty command");
    };
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(Message.valueOf(
        UnsafeByteOperations.unsafeWrap(queries.handle(request.getContent()).toByteArray())));
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return -1;
    }
    Path target = snapshots.pathFor(last.getTerm(), last.getIndex());
    if (!Files.exists(target)) {
      Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
      SnapshotStore.deleteTree(tmp);
      store.checkpoint(tmp);
      Files.move(tmp, target);
    }
    snapshots.refresh();
    snapshots.removeOld();
    LOG.info("metadata snapshot at {}", last);
    return last.getIndex();
  }

  private synchronized void closeStore() {
    if (store != null) {
      store.close();
      store = null;
    }
  }

  @Override
  public void close() throws IOException {
    super.close();
    closeStore();
  }
}

package io.strata.datanode.replication;

import io.strata.datanode.LocalNode;
import java.util.concurrent.Executor;

/** The hot-path operations of one datanode, shared by its gRPC and data-transport faces. */
public final class ChunkPaths {
  private final PrimaryCheck check;
  private final WritePath writes;
  private final ReplicaPath replicas;
  private final ReadPath reads;
  private final FlushPath flushes;

  /** @param slow runs reads that need repair or touch a delaying disk, never on an event loop */
  public ChunkPaths(LocalNode node, Executor slow) {
    this.check = new PrimaryCheck(node);
    ReplicaLinks links = new ReplicaLinks(node);
    this.writes = new WritePath(node, check, links, slow);
    this.replicas = new ReplicaPath(node, check);
    this.reads = new ReadPath(node, check, new RecordTransfer(node), slow);
    this.flushes = new FlushPath(node, check, links);
  }

  PrimaryCheck check() {
    return check;
  }

  WritePath writes() {
    return writes;
  }

  ReplicaPath replicas() {
    return replicas;
  }

  ReadPath reads() {
    return reads;
  }

  FlushPath flushes() {
    return flushes;
  }
}

package io.strata.datanode.replication;

import com.google.protobuf.ByteString;
import io.strata.client.Futures;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.datanode.disk.RecordHeader;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import io.strata.proto.FetchRecordReply;
import io.strata.proto.FetchRecordRequest;
import io.strata.proto.Member;
import io.strata.proto.PgRef;
import io.strata.proto.PushRecordReply;
import io.strata.proto.PushRecordRequest;
import io.strata.common.Checksums;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Copies single records between members: pull a good copy, push ours. Used by peering and repair. */
final class RecordTransfer {
  static final long RPC_DEADLINE_MILLIS = 15_000;

  private final LocalNode node;

  RecordTransfer(LocalNode node) {
    this.node = node;
  }

  /** A good copy from another member, or null if none of them has one at least {@code minVersion}. */
  FetchRecordReply fetchGood(List<Member> members, byte[] key, long minVersion) {
    ChunkId id = ChunkKeys.decode(key);
    for (Member m : members) {
      if (m.getNodeId().equals(node.nodeId())) {
        continue;
      }
      try {
        FetchRecordReply r = fetch(m, id.getPool(), id.getPg(), key);
        if (r.getStatus() == ChunkStatus.CHUNK_OK && r.getVersion() >= minVersion
            && (r.getDelete() || Checksums.crc32c(r.getData().asReadOnlyByteBuffer()) == r.getCrc32C())) {
          return r;
        }
      } catch (RuntimeException e) {
        // try the next member
      }
    }
    return null;
  }

  FetchRecordReply fetch(Member m, int pool, int pg, byte[] key) {
    FetchRecordRequest req = FetchRecordRequest.newBuilder().setEpoch(node.map().getEpoch())
        .setPg(PgRef.newBuilder().setPool(pool).setPg(pg).setDiskIndex(m.getDiskIndex()))
        .setKey(ByteString.copyFrom(key)).build();
    return Futures.of(node.channels().stub(node.address(m.getNodeId()), RPC_DEADLINE_MILLIS).fetch(req)).join();
  }

  /** Installs a fetched record on a local disk at its version. */
  static boolean install(SimulatedDisk disk, byte[] key, FetchRecordReply r, boolean repair) {
    ChunkId id = ChunkKeys.decode(key);
    byte[] data = r.getDelete() ? new byte[0] : r.getData().toByteArray();
    RecordHeader h = new RecordHeader(r.getVersion(), r.getCrc32C(), data.length, r.getDelete());
    return disk.write(key, id.getPool(), id.getPg(), h, data, false, repair).join();
  }

  /** Sends our copy of a record to a member; false if ours is unreadable or the push failed. */
  boolean push(SimulatedDisk disk, Member m, byte[] key) {
    SimulatedDisk.Stored s = disk.read(key);
    if (s == null || !s.checksumOk()) {
      return false;
    }
    ChunkId id = ChunkKeys.decode(key);
    PushRecordRequest req = PushRecordRequest.newBuilder().setEpoch(node.map().getEpoch())
        .setPg(PgRef.newBuilder().setPool(id.getPool()).setPg(id.getPg()).setDiskIndex(m.getDiskIndex()))
        .setKey(ByteString.copyFrom(key)).setVersion(s.header().version()).setData(ByteString.copyFrom(s.data()))
        .setCrc32C(s.header().crc32c()).setDelete(s.header().tombstone()).build();
    CompletableFuture<PushRecordReply> f =
        Futures.of(node.channels().stub(node.address(m.getNodeId()), RPC_DEADLINE_MILLIS).push(req));
    return f.join().getStatus() == ChunkStatus.CHUNK_OK;
  }
}

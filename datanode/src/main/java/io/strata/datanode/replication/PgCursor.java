package io.strata.datanode.replication;

import com.google.protobuf.ByteString;
import io.strata.client.ClusterMapCache;
import io.strata.client.Futures;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ClusterMap;
import io.strata.proto.Member;
import io.strata.proto.PgListEntry;
import io.strata.proto.PgListReply;
import io.strata.proto.PgListRequest;
import io.strata.proto.PgRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of one group on one member, in key order, a page at a time: peering merges two of
 * these like a merge join, so it holds two pages in memory whatever the size of the group.
 */
abstract class PgCursor {
  static final int PAGE = 1000;

  private List<SimulatedDisk.Listed> page = List.of();
  private int at;
  private byte[] after = new byte[0];
  private boolean exhausted;

  /** The next page of at most {@code limit} records after {@code after} (exclusive). */
  abstract List<SimulatedDisk.Listed> fetch(byte[] after, int limit);

  boolean valid() {
    if (at < page.size()) {
      return true;
    }
    if (exhausted) {
      return false;
    }
    page = fetch(after, PAGE);
    at = 0;
    if (page.size() < PAGE) {
      exhausted = true;
    }
    if (!page.isEmpty()) {
      after = page.get(page.size() - 1).key();
    }
    return at < page.size();
  }

  byte[] key() {
    return page.get(at).key();
  }

  long version() {
    return page.get(at).version();
  }

  void next() {
    at++;
  }

  static PgCursor local(SimulatedDisk disk, int pool, int pg) {
    return new PgCursor() {
      @Override
      List<SimulatedDisk.Listed> fetch(byte[] after, int limit) {
        return disk.list(pool, pg, after, limit);
      }
    };
  }

  static PgCursor remote(LocalNode node, ClusterMap m, Member member, int pool, int pg) {
    return new PgCursor() {
      @Override
      List<SimulatedDisk.Listed> fetch(byte[] after, int limit) {
        PgListRequest req = PgListRequest.newBuilder().setEpoch(m.getEpoch())
            .setPg(PgRef.newBuilder().setPool(pool).setPg(pg).setDiskIndex(member.getDiskIndex()))
            .setStartAfter(ByteString.copyFrom(after)).setLimit(limit).build();
        PgListReply r = Futures.of(node.channels().stub(ClusterMapCache.address(m, member.getNodeId()),
            RecordTransfer.RPC_DEADLINE_MILLIS).list(req)).join();
        if (r.getStatus() != ChunkStatus.CHUNK_OK) {
          throw new IllegalStateException("list of " + pool + "/" + pg + " on " + member.getNodeId()
              + " failed: " + r.getStatus());
        }
        List<SimulatedDisk.Listed> out = new ArrayList<>(r.getEntriesCount());
        for (PgListEntry e : r.getEntriesList()) {
          out.add(new SimulatedDisk.Listed(e.getKey().toByteArray(), e.getVersion()));
        }
        return out;
      }
    };
  }
}

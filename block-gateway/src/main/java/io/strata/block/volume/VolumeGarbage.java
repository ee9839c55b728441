package io.strata.block.volume;

import com.google.protobuf.ByteString;
import io.strata.block.data.AllocationMap;
import io.strata.block.data.BlockDevice;
import io.strata.block.data.DataLayout;
import io.strata.block.data.LayerFormat;
import io.strata.client.ChunkClient;
import io.strata.client.StrataClient;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaQueryReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data of layers nobody uses any more. A {@code gc/<layer>} entry (value: block count and layer
 * format) is written in the same transaction that removes the last volume or snapshot naming the
 * layer, and removed only after every chunk the layer's durable map allows for, and the maps
 * themselves, are deleted; so an interrupted deletion is finished later.
 */
final class VolumeGarbage {
  static final int MAX_ENTRIES_PER_PASS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(VolumeGarbage.class);

  private final ChunkClient chunks;
  private final MetadataClient meta;
  private final int poolId;

  VolumeGarbage(StrataClient client, int poolId) {
    this.chunks = client.chunks();
    this.meta = client.metadata();
    this.poolId = poolId;
  }

  private static ByteString key(long layer) {
    return Keys.garbage(layer);
  }

  KvWrite entry(long layer, long blocks, LayerFormat format) {
    return KvWrite.newBuilder().setNamespace(VolumeService.NAMESPACE).setKey(key(layer))
        .setValue(ByteString.copyFromUtf8(blocks + "," + format.version())).build();
  }

  /** Deletes one layer's data; failures are logged and left for {@link #collectAll}. */
  void collect(long layer, long blocks, LayerFormat format) {
    try {
      int pgCount = BlockDevice.pgCount(chunks, poolId);
      int perExtent = format.blocksPerExtent();
      AllocationMap extents = AllocationMap.reader(chunks, poolId, format.extentMapObject(layer), perExtent);
      List<CompletableFuture<Long>> pending = new ArrayList<>();
      for (long page = 0; page < extents.pages(blocks); page++) {
        for (long first : extents.allocatedIn(page)) {
          for (long b = first; b < Math.min(first + perExtent, blocks); b++) {
            pending.add(chunks.delete(format.chunk(poolId, pgCount, layer, b)));
            if (pending.size() >= DataLayout.BLOCK_PARALLELISM) {
              pending.forEach(CompletableFuture::join);
              pending.clear();
            }
          }
        }
      }
      pending.forEach(CompletableFuture::join);
      extents.deletePages(blocks);
      if (format.hasBlockMap()) {
        AllocationMap.reader(chunks, poolId, DataLayout.mapObject(layer), 1).deletePages(blocks);
      }
      meta.txn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace(VolumeService.NAMESPACE)
          .setKey(key(layer)).setDelete(true)).build());
    } catch (RuntimeException e) {
      LOG.warn("data of unused layer {} not fully removed yet: {}", layer, e.toString());
    }
  }

  int collectAll() {
    MetaQueryReply r = meta.scan(VolumeService.NAMESPACE, "gc/".getBytes(StandardCharsets.UTF_8),
        new byte[0], MAX_ENTRIES_PER_PASS);
    for (KvEntry e : r.getEntriesList()) {
      long id = Long.parseLong(e.getKey().toStringUtf8().substring(3));
      String[] v = e.getValue().toStringUtf8().split(",");
      collect(id, Long.parseLong(v[0]), LayerFormat.of(v.length > 1 ? Integer.parseInt(v[1]) : 1));
    }
    return r.getEntriesCount();
  }
}

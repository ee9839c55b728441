package io.strata.nfs.fs;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaQueryReply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Removes everything of a deleted share's file system: the blocks of every regular file (and of
 * files already queued as garbage), then every key, a page at a time. Idempotent, so an
 * interrupted erase simply runs again.
 */
public final class FileSystemEraser {
  static final int PAGE = 500;

  private final MetadataClient meta;
  private final BlockStore blocks;
  private final long fsid;

  public FileSystemEraser(MetadataClient meta, ChunkClient chunks, int poolId, long fsid) {
    this.meta = meta;
    this.blocks = new BlockStore(chunks, poolId, fsid);
    this.fsid = fsid;
  }

  public void erase() {
    forEachPage(FsKeys.inodePrefix(fsid), page -> {
      for (KvEntry e : page) {
        Inode i = InodeCodec.decode(e.getValue().toByteArray(), e.getVersion());
        if (i.type == FileType.REG) {
          deleteBlocks(i.id, BlockStore.blocksFor(i.size));
        }
      }
    });
    forEachPage(FsKeys.garbagePrefix(fsid), page -> {
      for (KvEntry e : page) {
        deleteBlocks(FsKeys.inoOf(e.getKey().toByteArray()),
            BlockStore.blocksFor(java.nio.ByteBuffer.wrap(e.getValue().toByteArray()).getLong()));
      }
    });
    for (byte[] prefix : FsKeys.allPrefixes(fsid)) {
      while (true) {
        MetaQueryReply r = meta.scan(FsKeys.NAMESPACE, prefix, new byte[0], PAGE);
        if (r.getEntriesCount() == 0) {
          break;
        }
        KvTxn.Builder t = KvTxn.newBuilder();
        for (KvEntry e : r.getEntriesList()) {
          t.addWrites(KvWrite.newBuilder().setNamespace(FsKeys.NAMESPACE).setKey(e.getKey()).setDelete(true));
        }
        meta.txn(t.build());
      }
    }
  }

  private interface PageAction {
    void accept(List<KvEntry> page);
  }

  private void forEachPage(byte[] prefix, PageAction action) {
    byte[] after = new byte[0];
    while (true) {
      MetaQueryReply r = meta.scan(FsKeys.NAMESPACE, prefix, after, PAGE);
      action.accept(r.getEntriesList());
      if (!r.getTruncated() || r.getEntriesCount() == 0) {
        return;
      }
      after = r.getEntries(r.getEntriesCount() - 1).getKey().toByteArray();
    }
  }

  private void deleteBlocks(long ino, long count) {
    for (long from = 0; from < count; from += Collector.PARALLEL_DELETES) {
      List<CompletableFuture<Integer>> batch = new ArrayList<>();
      for (long idx = from; idx < Math.min(count, from + Collector.PARALLEL_DELETES); idx++) {
        batch.add(blocks.delete(ino, idx));
      }
      CompletableFuture.allOf(batch.toArray(new CompletableFuture[0])).join();
    }
  }

  static ByteString key(byte[] k) {
    return ByteString.copyFrom(k);
  }
}

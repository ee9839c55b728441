package io.strata.nfs.fs;

import io.strata.proto.KvEntry;
import io.strata.proto.MetaQueryReply;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the blocks of removed files. REMOVE commits a garbage record ('g' key with the bytes
 * that may be stored) in the same transaction that deletes the inode; this pass deletes the
 * chunks and then the record, so a gateway that dies half-way finishes the job after restart.
 * A file still draining writes in this gateway is skipped until they land.
 */
final class Collector {
  private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
  static final int RECORDS_PER_PASS = 64;
  static final int PARALLEL_DELETES = 64;

  private final FileSystem fs;

  Collector(FileSystem fs) {
    this.fs = fs;
  }

  void run() {
    MetaQueryReply page = fs.store.scan(FsKeys.garbagePrefix(fs.fsid), new byte[0], RECORDS_PER_PASS);
    for (KvEntry e : page.getEntriesList()) {
      long ino = FsKeys.inoOf(e.getKey().toByteArray());
      if (fs.data.existing(ino) != null) {
        continue;
      }
      long bytes = ByteBuffer.wrap(e.getValue().toByteArray()).getLong();
      try {
        deleteBlocks(ino, BlockStore.blocksFor(bytes));
        fs.store.commit(new FsTxn().delete(e.getKey().toByteArray(), e.getVersion()));
      } catch (RuntimeException ex) {
        LOG.debug("garbage of inode {} in file system {} not collected yet: {}", ino, fs.fsid, ex.toString());
      }
    }
  }

  private void deleteBlocks(long ino, long blocks) {
    for (long from = 0; from < blocks; from += PARALLEL_DELETES) {
      List<CompletableFuture<Integer>> batch = new ArrayList<>();
      for (long idx = from; idx < Math.min(blocks, from + PARALLEL_DELETES); idx++) {
        batch.add(fs.data.store.delete(ino, idx));
      }
      CompletableFuture.allOf(batch.toArray(new CompletableFuture[0])).join();
    }
  }
}

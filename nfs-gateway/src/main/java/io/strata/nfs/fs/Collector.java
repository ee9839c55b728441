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
    List<KvEntry> records = new ArrayList<>();
    for (KvEntry e : page.getEntriesList()) {
      if (fs.data.existing(FsKeys.inoOf(e.getKey().toByteArray())) == null) {
        records.add(e);
      }
    }
    // Small files have one block each: their deletions go out together, and the records of all
    // the files whose blocks are gone leave in one transaction instead of a commit per file.
    List<KvEntry> done = new ArrayList<>();
    List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    List<KvEntry> waiting = new ArrayList<>();
    long blocksInFlight = 0;
    for (KvEntry e : records) {
      long ino = FsKeys.inoOf(e.getKey().toByteArray());
      long blocks = BlockStore.blocksFor(ByteBuffer.wrap(e.getValue().toByteArray()).getLong());
      if (blocks > PARALLEL_DELETES) {
        awaitDeletes(inFlight, waiting, done);
        blocksInFlight = 0;
        if (deleted(ino, () -> deleteBlocks(ino, blocks))) {
          done.add(e);
        }
        continue;
      }
      if (blocksInFlight + blocks > PARALLEL_DELETES) {
        awaitDeletes(inFlight, waiting, done);
        blocksInFlight = 0;
      }
      List<CompletableFuture<Integer>> parts = new ArrayList<>();
      for (long idx = 0; idx < blocks; idx++) {
        parts.add(fs.data.store.delete(ino, idx));
      }
      inFlight.add(CompletableFuture.allOf(parts.toArray(new CompletableFuture[0])));
      waiting.add(e);
      blocksInFlight += blocks;
    }
    awaitDeletes(inFlight, waiting, done);
    removeRecords(done);
  }

  private void awaitDeletes(List<CompletableFuture<Void>> inFlight, List<KvEntry> waiting, List<KvEntry> done) {
    for (int i = 0; i < inFlight.size(); i++) {
      KvEntry e = waiting.get(i);
      CompletableFuture<Void> f = inFlight.get(i);
      if (deleted(FsKeys.inoOf(e.getKey().toByteArray()), f::join)) {
        done.add(e);
      }
    }
    inFlight.clear();
    waiting.clear();
  }

  private static boolean deleted(long ino, Runnable deletion) {
    try {
      deletion.run();
      return true;
    } catch (RuntimeException ex) {
      LOG.debug("blocks of removed inode {} not deleted yet: {}", ino, ex.toString());
      return false;
    }
  }

  /** Drops the records of files whose blocks are gone; one at a time if the joint commit fails. */
  private void removeRecords(List<KvEntry> done) {
    if (done.isEmpty()) {
      return;
    }
    FsTxn all = new FsTxn();
    done.forEach(e -> all.delete(e.getKey().toByteArray(), e.getVersion()));
    try {
      fs.store.commit(all);
      return;
    } catch (RuntimeException ex) {
      LOG.debug("garbage records of {} files not removed together: {}", done.size(), ex.toString());
    }
    for (KvEntry e : done) {
      try {
        fs.store.commit(new FsTxn().delete(e.getKey().toByteArray(), e.getVersion()));
      } catch (RuntimeException ex) {
        LOG.debug("garbage record {} not removed yet: {}", FsKeys.inoOf(e.getKey().toByteArray()), ex.toString());
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

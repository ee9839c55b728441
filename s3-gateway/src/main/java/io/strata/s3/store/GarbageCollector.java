package io.strata.s3.store;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaQueryReply;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes the chunks of data no object references. Work comes from two metadata namespaces:
 * {@link S3Keys#GC} records, written in the same transaction that dropped the reference (so a
 * crash can delay collection but never lose it), and {@link S3Keys#INTENTS} older than
 * {@link #INTENT_EXPIRY_MILLIS}, i.e. uploads whose gateway died before committing. A record is
 * removed only after all its chunks are deleted, so collection is retried until it succeeds.
 */
public final class GarbageCollector implements AutoCloseable {
  public static final long INTENT_EXPIRY_MILLIS = 24 * 3600_000L;
  public static final long SWEEP_INTERVAL_MILLIS = 60_000;
  private static final long CLOSE_WAIT_SECONDS = 10;
  /** Multipart uploads neither completed nor aborted this long are aborted (S3's lifecycle rule, always on). */
  public static final long ABANDONED_UPLOAD_EXPIRY_MILLIS = 7 * 24 * 3600_000L;
  /** Leftover part records are collected only when older than this, so no commit in flight is raced. */
  public static final long LEFTOVER_PART_GRACE_MILLIS = 3600_000L;
  static final int SCAN_PAGE = 500;
  static final int MAX_PARALLEL_DELETES = 16;

  private final MetadataClient meta;
  private final ChunkClient chunks;
  private final int poolId;
  private final UploadStore uploads;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "s3-gc");
    t.setDaemon(true);
    return t;
  });

  public GarbageCollector(MetadataClient meta, ChunkClient chunks, int poolId) {
    this.meta = meta;
    this.chunks = chunks;
    this.poolId = poolId;
    this.uploads = new UploadStore(meta, this);
  }

  public void start() {
    executor.scheduleWithFixedDelay(this::sweepQuietly, 0, SWEEP_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Collects a GC record soon, in the background. */
  public void collectSoon(byte[] gcKey, RecordCodec.Garbage garbage) {
    executor.execute(() -> {
      try {
        collect(gcKey, garbage);
      } catch (RuntimeException e) {
        // left in place; the next sweep retries
      }
    });
  }

  void collect(byte[] gcKey, RecordCodec.Garbage g) {
    deleteChunks(g);
    meta.txn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace(S3Keys.GC)
        .setKey(ByteString.copyFrom(gcKey)).setDelete(true)).build());
  }

  private void deleteChunks(RecordCodec.Garbage g) {
    List<CompletableFuture<Long>> pending = new ArrayList<>();
    for (Segment s : g.segments()) {
      ByteString objectId = ByteString.copyFromUtf8(s.dataId());
      for (long i = 0; i < s.chunkCount(g.chunkBytes()); i++) {
        pending.add(chunks.delete(chunks.chunkId(poolId, objectId, i)));
        if (pending.size() >= MAX_PARALLEL_DELETES) {
          pending.forEach(CompletableFuture::join);
          pending.clear();
        }
      }
    }
    pending.forEach(CompletableFuture::join);
  }

  /** One pass over both namespaces; public so tests can run it deterministically. */
  public void sweep() {
    byte[] after = new byte[0];
    while (true) {
      MetaQueryReply page = meta.scan(S3Keys.GC, new byte[0], after, SCAN_PAGE);
      for (KvEntry e : page.getEntriesList()) {
        collect(e.getKey().toByteArray(), RecordCodec.decodeSegments(e.getValue().toByteArray()));
        after = e.getKey().toByteArray();
      }
      if (!page.getTruncated()) {
        break;
      }
    }
    long now = System.currentTimeMillis();
    sweepIntents(now - INTENT_EXPIRY_MILLIS);
    uploads.expireUploads(now - ABANDONED_UPLOAD_EXPIRY_MILLIS);
    uploads.collectLeftoverParts(now - LEFTOVER_PART_GRACE_MILLIS);
  }

  /** Abandoned multipart uploads and leftover parts (the sweep calls this with its own cutoffs). */
  public UploadStore uploads() {
    return uploads;
  }

  /** Turns intents created before {@code cutoffMillis} into GC records and collects them. */
  public void sweepIntents(long cutoffMillis) {
    byte[] after = new byte[0];
    while (true) {
      MetaQueryReply page = meta.scan(S3Keys.INTENTS, new byte[0], after, SCAN_PAGE);
      for (KvEntry e : page.getEntriesList()) {
        after = e.getKey().toByteArray();
        ByteBuffer v = ByteBuffer.wrap(e.getValue().toByteArray());
        long created = v.getLong();
        long maxLength = v.getLong();
        if (created < cutoffMillis) {
          expireIntent(e, maxLength);
        }
      }
      if (!page.getTruncated()) {
        break;
      }
    }
  }

  private void expireIntent(KvEntry e, long maxLength) {
    RecordCodec.Garbage g = new RecordCodec.Garbage(ChunkedDataWriter.CHUNK_BYTES,
        List.of(new Segment(e.getKey().toStringUtf8(), maxLength)));
    byte[] gcKey = S3Keys.utf8("intent-" + e.getKey().toStringUtf8());
    meta.txn(KvTxn.newBuilder()
        .addConditions(KvCondition.newBuilder().setNamespace(S3Keys.INTENTS).setKey(e.getKey())
            .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(e.getVersion()))
        .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.INTENTS).setKey(e.getKey()).setDelete(true))
        .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.GC).setKey(ByteString.copyFrom(gcKey))
            .setValue(ByteString.copyFrom(RecordCodec.encodeSegments(g.segments(), g.chunkBytes()))))
        .build());
    collect(gcKey, g);
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      // metadata or datanodes unavailable: the next sweep retries
    }
  }

  /**
   * Stops the periodic sweep and lets collections already handed over ({@link #collectSoon}, as
   * by the clean-up of an aborted upload) finish, for a bounded time: one cut short stays in
   * place for the next sweep, of this gateway or another.
   */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }
}

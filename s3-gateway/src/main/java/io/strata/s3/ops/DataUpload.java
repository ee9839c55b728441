package io.strata.s3.ops;

import io.netty.buffer.ByteBuf;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.BodyResult;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.store.ChunkedDataWriter;
import io.strata.s3.store.ObjectStore;
import io.strata.s3.store.PendingCleanups;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A streamed body that becomes object data (PutObject, UploadPart): an intent record first, then
 * chunks written durably as they fill, then — only after the body verified and every chunk is
 * on its replicas — the metadata commit. On any failure the data is handed to the GC.
 */
final class DataUpload implements Operation {
  private final ObjectStore store;
  private final ExecutorService workers;
  private final PendingCleanups cleanups;
  private final String dataId;
  private final long maxLength;
  private final ChunkedDataWriter writer;
  private final BiFunction<String, BodyResult, Reply> commit;
  private static final int OPEN = 0;
  private static final int COMMITTING = 1;
  private static final int DISCARDED = 2;
  private final AtomicInteger state = new AtomicInteger(OPEN);

  /**
   * @param declaredLength the body length the client announced (bounds what the GC must delete)
   * @param commit runs on the worker pool with the data id once the data is durable
   */
  DataUpload(Services s, long declaredLength, BiFunction<String, BodyResult, Reply> commit) {
    this.store = s.store();
    this.workers = s.workers();
    this.cleanups = s.cleanups();
    this.dataId = ObjectStore.newDataId();
    this.maxLength = Math.min(declaredLength, s.config().maxObjectBytes());
    this.commit = commit;
    CompletableFuture<?> intent = store.writeIntent(dataId, maxLength);
    this.writer = new ChunkedDataWriter(s.chunks(), s.poolId(), dataId, intent, maxLength, s.budget());
  }

  @Override
  public boolean acceptsBody() {
    return true;
  }

  @Override
  public void content(ByteBuf payload) {
    writer.write(payload);
  }

  @Override
  public CompletableFuture<Void> ready() {
    return writer.ready();
  }

  @Override
  public CompletableFuture<Reply> end(BodyResult body) {
    return writer.finish().thenApplyAsync(length -> {
      if (!state.compareAndSet(OPEN, COMMITTING)) {
        throw new S3Exception(S3ErrorCode.INTERNAL_ERROR, "upload was aborted");
      }
      try {
        return commit.apply(dataId, body);
      } catch (S3Exception e) {
        // A definite refusal (NoSuchBucket, NoSuchUpload, ...): nothing references the data.
        discard();
        throw e;
      }
      // Any other failure may have committed (a timeout after apply): keep the intent; the
      // commit removes it atomically, so the sweep only ever collects uncommitted data.
    }, workers).whenComplete((r, t) -> {
      if (t != null && state.compareAndSet(OPEN, DISCARDED)) {
        discardAfterDrain();  // a chunk write failed before the commit started
      }
    });
  }

  @Override
  public void abort() {
    if (state.compareAndSet(OPEN, DISCARDED)) {
      discardAfterDrain();
    }
  }

  /** Waits for in-flight chunk writes so none lands after the GC deleted its chunk. */
  private void discardAfterDrain() {
    cleanups.add(writer.drain().thenRunAsync(this::discard, workers));
  }

  private void discard() {
    try {
      store.discard(dataId, maxLength);
    } catch (RuntimeException e) {
      // the intent stays; the GC sweep expires it later
    }
  }
}

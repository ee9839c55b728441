package io.strata.s3.ops;

import io.netty.buffer.ByteBuf;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.BodyResult;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;

/**
 * A small body that becomes an inline object: gathered in memory (at most
 * {@link io.strata.s3.store.ObjectRecord#INLINE_MAX_BYTES}) and committed with its metadata in
 * one transaction once verified. Nothing reaches the datanodes, so nothing needs an intent or GC.
 */
final class InlineUpload implements Operation {
  private final ExecutorService workers;
  private final byte[] buffer;
  private final BiFunction<byte[], BodyResult, Reply> commit;
  private int fill;

  InlineUpload(ExecutorService workers, int maxBytes, BiFunction<byte[], BodyResult, Reply> commit) {
    this.workers = workers;
    this.buffer = new byte[maxBytes];
    this.commit = commit;
  }

  @Override
  public boolean acceptsBody() {
    return true;
  }

  @Override
  public void content(ByteBuf payload) {
    int n = payload.readableBytes();
    if (fill + n > buffer.length) {
      throw new S3Exception(S3ErrorCode.INCOMPLETE_BODY, "more data than the declared length");
    }
    payload.getBytes(payload.readerIndex(), buffer, fill, n);
    fill += n;
  }

  @Override
  public CompletableFuture<Reply> end(BodyResult body) {
    byte[] data = fill == buffer.length ? buffer : Arrays.copyOf(buffer, fill);
    return CompletableFuture.supplyAsync(() -> commit.apply(data, body), workers);
  }
}

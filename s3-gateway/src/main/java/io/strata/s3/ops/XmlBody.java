package io.strata.s3.ops;

import io.netty.buffer.ByteBuf;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.BodyResult;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/** An operation with a small XML body, gathered up to {@link #MAX_XML_BYTES} then handled on the worker pool. */
final class XmlBody implements Operation {
  /** A 1000-key Delete request with long keys fits; anything bigger is refused. */
  static final int MAX_XML_BYTES = 2 << 20;

  private final ExecutorService workers;
  private final Function<byte[], Reply> work;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  XmlBody(ExecutorService workers, Function<byte[], Reply> work) {
    this.workers = workers;
    this.work = work;
  }

  @Override
  public boolean acceptsBody() {
    return true;
  }

  @Override
  public void content(ByteBuf payload) {
    if (bytes.size() + payload.readableBytes() > MAX_XML_BYTES) {
      throw new S3Exception(S3ErrorCode.MALFORMED_XML, "request body larger than " + MAX_XML_BYTES + " bytes");
    }
    byte[] b = new byte[payload.readableBytes()];
    payload.getBytes(payload.readerIndex(), b);
    bytes.write(b, 0, b.length);
  }

  @Override
  public CompletableFuture<Reply> end(BodyResult body) {
    byte[] b = bytes.toByteArray();
    return CompletableFuture.supplyAsync(() -> work.apply(b), workers);
  }
}

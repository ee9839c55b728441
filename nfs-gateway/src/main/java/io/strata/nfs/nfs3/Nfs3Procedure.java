package io.strata.nfs.nfs3;

import io.strata.common.Metrics;
import io.strata.nfs.fs.FsStatus;
import io.strata.nfs.fs.NoWait;
import io.strata.nfs.rpc.CallContext;
import io.strata.nfs.rpc.RpcProcedure;
import io.strata.nfs.rpc.XdrReader;
import io.strata.nfs.rpc.XdrWriter;
import io.strata.nfs.share.Exports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NFSv3 procedure from three parts: a pure argument decoder, a body that writes
 * {@code NFS3_OK} and the resok, and a writer of the resfail part. Any exception from the body
 * becomes an nfsstat3 through {@link FsStatus#of} (the one error table), the reply is rewound
 * to the status word and the failure part written instead, so every reply is well-formed XDR.
 *
 * @param <A> decoded arguments
 */
final class Nfs3Procedure<A> implements RpcProcedure<A> {
  private static final Logger LOG = LoggerFactory.getLogger(Nfs3Procedure.class);

  /** Arguments that keep a slice of the request buffer (WRITE data) until the call is done. */
  interface HoldsBuffer {
    io.netty.buffer.ByteBuf buffer();
  }

  interface Decoder<A> {
    A decode(XdrReader in);
  }

  interface Body<A> {
    void run(A args, NfsCall call, XdrWriter out);
  }

  interface Failure<A> {
    void write(A args, NfsCall call, XdrWriter out);
  }

  private final String name;
  private final Exports exports;
  private final Decoder<A> decoder;
  private final Body<A> body;
  private final Failure<A> failure;
  private final int replySizeHint;
  private boolean idempotent = true;
  private boolean inline;
  private final java.util.Map<FsStatus, java.util.concurrent.atomic.LongAdder> counters =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.LongAdder micros;

  Nfs3Procedure(String name, Exports exports, Decoder<A> decoder, Body<A> body, Failure<A> failure, int replySizeHint) {
    this.name = name;
    this.exports = exports;
    this.decoder = decoder;
    this.body = body;
    this.failure = failure;
    this.replySizeHint = replySizeHint;
    this.micros = Metrics.global().counter("strata_nfs_request_micros_total{proc=\"" + name + "\"}",
        "microseconds spent executing NFSv3 requests, by procedure (queueing excluded)");
  }

  /** Marks a procedure whose repetition would answer differently; its replies are cached. */
  Nfs3Procedure<A> notIdempotent() {
    this.idempotent = false;
    return this;
  }

  /** Lets the procedure be answered on the event loop when the cache has everything it needs. */
  Nfs3Procedure<A> inlineWhenCached() {
    this.inline = true;
    return this;
  }

  @Override
  public boolean tryInline(A args, CallContext ctx, XdrWriter out) {
    if (!inline) {
      return false;
    }
    int mark = out.buffer().writerIndex();
    boolean done = NoWait.tryRun(() -> execute(args, ctx, out));
    if (!done) {
      out.buffer().writerIndex(mark);
    }
    return done;
  }

  @Override
  public boolean idempotent() {
    return idempotent;
  }

  @Override
  public A decode(XdrReader in) {
    return decoder.decode(in);
  }

  @Override
  public void execute(A args, CallContext ctx, XdrWriter out) {
    NfsCall call = new NfsCall(exports, ctx);
    int mark = out.buffer().writerIndex();
    long start = System.nanoTime();
    try {
      body.run(args, call, out);
      count(FsStatus.OK);
      micros.add((System.nanoTime() - start) / 1000);
    } catch (RuntimeException e) {
      if (e instanceof NoWait.WouldWait) {
        throw e;
      }
      micros.add((System.nanoTime() - start) / 1000);
      FsStatus status = FsStatus.of(e);
      count(status);
      if (status == FsStatus.SERVERFAULT) {
        LOG.warn("{} failed for {}", name, ctx.client(), e);
      } else {
        LOG.debug("{}: {}", name, e.getMessage());
      }
      out.buffer().writerIndex(mark);
      out.writeInt(status.code);
      int failMark = out.buffer().writerIndex();
      try {
        failure.write(args, call, out);
      } catch (RuntimeException again) {
        if (again instanceof NoWait.WouldWait) {
          throw again;
        }
        out.buffer().writerIndex(failMark);
        LOG.warn("{}: could not write the failure reply; sending status only", name, again);
      }
    }
  }

  private void count(FsStatus status) {
    counters.computeIfAbsent(status, s -> Metrics.global().counter("strata_nfs_requests_total{proc=\"" + name
        + "\",status=\"" + s + "\"}", "NFSv3 requests by procedure and nfsstat3")).increment();
  }

  @Override
  public void release(A args) {
    if (args instanceof HoldsBuffer h) {
      h.buffer().release();
    }
  }

  @Override
  public int replySizeHint(A args) {
    return replySizeHint;
  }
}

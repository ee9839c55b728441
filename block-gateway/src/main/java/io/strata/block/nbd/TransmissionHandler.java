package io.strata.block.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.strata.block.data.BlockDevice;
import io.strata.block.nbd.ExportRegistry.Export;
import io.strata.block.nbd.PendingRequests.Pending;
import io.strata.common.Metrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs transmission-phase requests. Each request becomes a future on the shared
 * {@link BlockDevice}; its reply is written on the event loop when it completes, so replies go
 * out in completion order, matched by handle. Reading stops while too many requests or bytes are
 * in flight or the client is not taking its replies (back-pressure instead of buffering).
 *
 * <p>Every request gets exactly one reply or the connection closes: {@link PendingRequests}
 * hands the right to answer to whoever comes first, the completion or a watchdog that answers EIO
 * (and logs the request) once it has waited {@link NbdLimits#requestTimeoutMillis()}; a failure
 * while answering closes the connection.
 */
final class TransmissionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(TransmissionHandler.class);

  private final Export export;
  private final ExportRegistry exports;
  private final InFlightBudget budget;
  private final NbdLimits limits;
  private final PendingRequests pending = new PendingRequests();
  private ScheduledFuture<?> watchdog;
  private Runnable resumeReading;
  private boolean disconnecting;
  private boolean released;
  private boolean flushQueued;
  private Runnable flushTask;

  TransmissionHandler(Export export, ExportRegistry exports, InFlightBudget budget, NbdLimits limits) {
    this.export = export;
    this.exports = exports;
    this.budget = budget;
    this.limits = limits;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    long period = limits.watchdogPeriodMillis();
    watchdog = ctx.executor().scheduleAtFixedRate(() -> expire(ctx), period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HandshakeMessage.Malformed m) {
      LOG.warn("closing NBD connection {} on {}: {}", ctx.channel().remoteAddress(), export.name(), m.reason());
      ctx.close();
      return;
    }
    NbdRequest r = (NbdRequest) msg;
    CompletableFuture<ByteBuf> op;
    try {
      if (disconnecting) {
        return;  // nothing may follow NBD_CMD_DISC
      }
      int refused = RequestCheck.errno(r, export.device().sizeBytes(), export.readOnly());
      if (refused != 0) {
        ctx.writeAndFlush(Replies.simple(ctx.alloc(), refused, r.handle()));
        return;
      }
      op = start(r);
    } finally {
      r.release();  // start() took its own reference to the payload
    }
    if (op == null) {
      closeIfIdle(ctx);
      return;
    }
    long bytes = r.type() == Nbd.CMD_READ || r.type() == Nbd.CMD_WRITE ? r.length() : 0;
    Pending p = pending.add(r, bytes, System.nanoTime());
    budget.take(bytes);
    updateReading(ctx);
    op.whenComplete((data, err) -> ctx.executor().execute(() -> complete(ctx, p.id(), data, err)));
  }

  /** Starts the storage operation; null for DISC. */
  private CompletableFuture<ByteBuf> start(NbdRequest r) {
    BlockDevice d = export.device();
    try {
      return switch (r.type()) {
        case Nbd.CMD_READ -> d.readBuffer(r.offset(), (int) r.length());
        case Nbd.CMD_WRITE -> d.write(r.offset(), r.data().retain(), r.fua()).thenApply(v -> null);
        // The flush carries our fence: after a takeover the datanodes refuse it (EPERM), never a false promise.
        case Nbd.CMD_FLUSH -> d.flush().thenApply(v -> null);
        case Nbd.CMD_TRIM -> d.zero(r.offset(), r.length(), r.fua(), true).thenApply(v -> null);
        case Nbd.CMD_WRITE_ZEROES -> d.zero(r.offset(), r.length(), r.fua(), false).thenApply(v -> null);
        case Nbd.CMD_DISC -> {
          disconnecting = true;
          yield null;
        }
        default -> CompletableFuture.failedFuture(new IllegalArgumentException("command " + r.type()));
      };
    } catch (Throwable t) {  // an Error too: it becomes this request's error reply
      return CompletableFuture.failedFuture(t);
    }
  }

  /** The storage operation finished; answers it unless the watchdog already did. */
  private void complete(ChannelHandlerContext ctx, long id, ByteBuf data, Throwable err) {
    Pending p = pending.remove(id);
    if (p == null) {
      if (data != null) {
        data.release();
      }
      LOG.warn("NBD {} {} finished after it was answered EIO by the timeout ({})", export.name(),
          "request " + id, err == null ? "ok" : OptionErrors.message(err));
      return;
    }
    count(p, err == null ? "ok" : "error");
    if (err != null) {
      LOG.warn("NBD {} {} failed: {}", export.name(), p.describe(), OptionErrors.message(err));
      answer(ctx, p, OptionErrors.errno(err), null);
    } else {
      answer(ctx, p, 0, p.type() == Nbd.CMD_READ ? data : null);
    }
  }

  /** Answers every request that has waited past the timeout with EIO: a lost future must not hang the client. */
  private void expire(ChannelHandlerContext ctx) {
    for (Pending p : pending.expired(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(limits.requestTimeoutMillis()))) {
      LOG.error("NBD {} {} unanswered after {} ms; answering EIO", export.name(), p.describe(),
          limits.requestTimeoutMillis());
      count(p, "timeout");
      answer(ctx, p, Nbd.EIO, null);
    }
  }

  /** Sends the reply; takes over {@code data} (a READ's bytes, or null). */
  private void answer(ChannelHandlerContext ctx, Pending p, int errno, ByteBuf data) {
    budget.giveBack(p.bytes());
    try {
      if (!ctx.channel().isActive()) {
        if (data != null) {
          data.release();
        }
      } else if (data != null) {
        ctx.write(Replies.simple(ctx.alloc(), 0, p.handle()));
        ctx.write(data);
        flushSoon(ctx);
      } else {
        ctx.write(Replies.simple(ctx.alloc(), errno, p.handle()));
        flushSoon(ctx);
      }
      updateReading(ctx);
      closeIfIdle(ctx);
    } catch (Throwable t) {
      LOG.error("NBD {}: cannot answer {}; closing the connection", export.name(), p.describe(), t);
      ctx.close();
    }
  }

  /**
   * One flush for all the replies of a burst: the flush runs after the tasks already queued on
   * the loop, which at 16 reads in flight are the other reads completing. Flushed one by one,
   * each 4 KiB read's reply cost a writev of its own. Off the loop (no burst to join) at once.
   */
  private void flushSoon(ChannelHandlerContext ctx) {
    if (!ctx.executor().inEventLoop()) {
      ctx.flush();
      return;
    }
    if (!flushQueued) {
      flushQueued = true;
      if (flushTask == null) {
        flushTask = () -> {
          flushQueued = false;
          ctx.flush();
        };
      }
      ctx.executor().execute(flushTask);
    }
  }

  private static void count(Pending p, String result) {
    Metrics.global().counter("strata_nbd_requests_total{command=\"" + p.type() + "\",result=\"" + result + "\"}",
        "NBD requests by command number and result").increment();
    if (p.bytes() > 0 && result.equals("ok")) {
      Metrics.global().counter("strata_nbd_bytes_total{command=\"" + p.type() + "\"}",
          "bytes moved by NBD READ (0) and WRITE (1)").add(p.bytes());
    }
  }

  private void closeIfIdle(ChannelHandlerContext ctx) {
    if (disconnecting && pending.count() == 0) {
      ctx.close();
    }
  }

  private void updateReading(ChannelHandlerContext ctx) {
    boolean busy = pending.count() >= limits.maxInFlightRequests() || pending.bytes() >= limits.maxInFlightBytes()
        || !ctx.channel().isWritable();
    boolean starved = !busy && budget.exhausted();
    ctx.channel().config().setAutoRead(!busy && !starved && !disconnecting);
    if (starved) {
      if (resumeReading == null) {
        resumeReading = () -> ctx.executor().execute(() -> updateReading(ctx));
      }
      budget.whenRoom(resumeReading);  // no reply of ours may be pending to wake us
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    updateReading(ctx);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (watchdog != null) {
      watchdog.cancel(false);
    }
    // Requests still running keep their budget until they finish; nobody is left to answer them.
    if (!released) {
      released = true;
      exports.release(export);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.warn("NBD connection {} on {} failed: {}", ctx.channel().remoteAddress(), export.name(), cause.toString());
    ctx.close();
  }
}

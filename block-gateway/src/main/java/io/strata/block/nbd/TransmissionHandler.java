package io.strata.block.nbd;

import com.google.protobuf.ByteString;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.strata.block.data.BlockDevice;
import io.strata.block.nbd.ExportRegistry.Export;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs transmission-phase requests. Each request becomes a future on the shared
 * {@link BlockDevice}; its reply is written on the event loop when it completes, so replies go
 * out in completion order, matched by handle. Reading stops while too many requests or bytes are
 * in flight or the client is not taking its replies (back-pressure instead of buffering).
 */
final class TransmissionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(TransmissionHandler.class);

  private final Export export;
  private final ExportRegistry exports;
  private final InFlightBudget budget;
  private Runnable resumeReading;
  private int inFlight;
  private long inFlightBytes;
  private boolean disconnecting;
  private boolean released;

  TransmissionHandler(Export export, ExportRegistry exports, InFlightBudget budget) {
    this.export = export;
    this.exports = exports;
    this.budget = budget;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HandshakeMessage.Malformed m) {
      LOG.warn("closing NBD connection {} on {}: {}", ctx.channel().remoteAddress(), export.name(), m.reason());
      ctx.close();
      return;
    }
    NbdRequest r = (NbdRequest) msg;
    CompletableFuture<byte[]> op;
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
      r.release();  // start() copied the payload
    }
    if (op == null) {
      closeIfIdle(ctx);
      return;
    }
    long bytes = r.type() == Nbd.CMD_READ || r.type() == Nbd.CMD_WRITE ? r.length() : 0;
    inFlight++;
    inFlightBytes += bytes;
    budget.take(bytes);
    updateReading(ctx);
    op.whenComplete((data, err) -> ctx.executor().execute(() -> finish(ctx, r, bytes, data, err)));
  }

  /** Starts the storage operation; null for DISC. */
  private CompletableFuture<byte[]> start(NbdRequest r) {
    BlockDevice d = export.device();
    try {
      return switch (r.type()) {
        case Nbd.CMD_READ -> d.read(r.offset(), (int) r.length());
        case Nbd.CMD_WRITE -> d.write(r.offset(), ByteString.copyFrom(r.data().nioBuffer()), r.fua()).thenApply(v -> null);
        // Durable, and still ours: a FLUSH acknowledged after a takeover would be a false promise.
        case Nbd.CMD_FLUSH -> d.flush().thenCompose(v -> exports.verifyHolder(export)).thenApply(v -> null);
        case Nbd.CMD_TRIM -> d.zero(r.offset(), r.length(), r.fua(), true).thenApply(v -> null);
        case Nbd.CMD_WRITE_ZEROES -> d.zero(r.offset(), r.length(), r.fua(), false).thenApply(v -> null);
        case Nbd.CMD_DISC -> {
          disconnecting = true;
          yield null;
        }
        default -> CompletableFuture.failedFuture(new IllegalArgumentException("command " + r.type()));
      };
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void finish(ChannelHandlerContext ctx, NbdRequest r, long bytes, byte[] data, Throwable err) {
    io.strata.common.Metrics.global().counter("strata_nbd_requests_total{command=\"" + r.type() + "\",result=\""
        + (err == null ? "ok" : "error") + "\"}", "NBD requests by command number and result").increment();
    if (bytes > 0 && err == null) {
      io.strata.common.Metrics.global().counter("strata_nbd_bytes_total{command=\"" + r.type() + "\"}",
          "bytes moved by NBD READ (0) and WRITE (1)").add(bytes);
    }
    inFlight--;
    inFlightBytes -= bytes;
    budget.giveBack(bytes);
    if (ctx.channel().isActive()) {
      if (err != null) {
        LOG.warn("NBD {} command {} at {}+{} failed: {}", export.name(), r.type(), r.offset(), r.length(),
            OptionErrors.message(err));
        ctx.writeAndFlush(Replies.simple(ctx.alloc(), OptionErrors.errno(err), r.handle()));
      } else if (r.type() == Nbd.CMD_READ) {
        ctx.writeAndFlush(Replies.read(ctx.alloc(), r.handle(), data));
      } else {
        ctx.writeAndFlush(Replies.simple(ctx.alloc(), 0, r.handle()));
      }
    }
    updateReading(ctx);
    closeIfIdle(ctx);
  }

  private void closeIfIdle(ChannelHandlerContext ctx) {
    if (disconnecting && inFlight == 0) {
      ctx.close();
    }
  }

  private void updateReading(ChannelHandlerContext ctx) {
    boolean busy = inFlight >= Nbd.MAX_IN_FLIGHT_REQUESTS || inFlightBytes >= Nbd.MAX_IN_FLIGHT_BYTES
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

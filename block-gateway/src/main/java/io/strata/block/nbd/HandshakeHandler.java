package io.strata.block.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.strata.block.nbd.ExportRegistry.Export;
import io.strata.block.volume.Volume;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fixed newstyle negotiation. Options are answered one at a time in arrival order; those that
 * need metadata (LIST, INFO, GO, EXPORT_NAME) complete on the control thread and continue here on
 * the event loop. After GO or EXPORT_NAME the pipeline switches to transmission.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final ExportRegistry exports;
  private final InFlightBudget budget;
  private final NbdLimits limits;
  private final ArrayDeque<HandshakeMessage> queue = new ArrayDeque<>();
  private boolean fixedNewstyle;
  private boolean noZeroes;
  private boolean busy;
  private boolean finished;

  HandshakeHandler(ExportRegistry exports, InFlightBudget budget, NbdLimits limits) {
    this.exports = exports;
    this.budget = budget;
    this.limits = limits;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Replies.greeting(ctx.alloc()));
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (finished) {
      drop((HandshakeMessage) msg);
      return;
    }
    if (msg instanceof HandshakeMessage.ClientFlags f) {
      if ((f.flags() & ~(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)) != 0) {
        abort(ctx, "unknown client flags " + Integer.toHexString(f.flags()));
        return;
      }
      fixedNewstyle = (f.flags() & Nbd.FLAG_C_FIXED_NEWSTYLE) != 0;
      noZeroes = (f.flags() & Nbd.FLAG_C_NO_ZEROES) != 0;
      return;
    }
    if (msg instanceof HandshakeMessage.Malformed m) {
      abort(ctx, m.reason());
      return;
    }
    if (queue.size() >= Nbd.MAX_QUEUED_OPTIONS) {
      drop((HandshakeMessage) msg);
      abort(ctx, "more than " + Nbd.MAX_QUEUED_OPTIONS + " options pipelined");
      return;
    }
    queue.add((HandshakeMessage) msg);
    pump(ctx);
  }

  private void pump(ChannelHandlerContext ctx) {
    while (!busy && !finished && !queue.isEmpty()) {
      CompletableFuture<Void> f = handle(ctx, queue.poll());
      if (!f.isDone()) {
        busy = true;
        f.whenComplete((v, e) -> ctx.executor().execute(() -> {
          busy = false;
          pump(ctx);
        }));
      }
    }
  }

  private CompletableFuture<Void> handle(ChannelHandlerContext ctx, HandshakeMessage m) {
    if (m instanceof HandshakeMessage.OversizedOption o) {
      return refuse(ctx, o.code(), Nbd.REP_ERR_TOO_BIG, "option of " + o.length() + " bytes is too large");
    }
    HandshakeMessage.Option o = (HandshakeMessage.Option) m;
    ByteBuf data = o.data();
    try {
      return switch (o.code()) {
        case Nbd.OPT_EXPORT_NAME -> exportName(ctx, data.toString(StandardCharsets.UTF_8));
        case Nbd.OPT_ABORT -> {
          finished = true;
          ctx.writeAndFlush(Replies.option(ctx.alloc(), Nbd.OPT_ABORT, Nbd.REP_ACK, null))
              .addListener(ChannelFutureListener.CLOSE);
          yield DONE;
        }
        case Nbd.OPT_LIST -> data.isReadable()
            ? refuse(ctx, o.code(), Nbd.REP_ERR_INVALID, "NBD_OPT_LIST takes no data")
            : list(ctx);
        case Nbd.OPT_INFO, Nbd.OPT_GO -> infoOrGo(ctx, o.code(), data);
        default -> refuse(ctx, o.code(), Nbd.REP_ERR_UNSUP, "option " + o.code() + " not supported");
      };
    } finally {
      data.release();
    }
  }

  /** Error reply to a fixed-newstyle client; a plain newstyle client only understands a close. */
  private CompletableFuture<Void> refuse(ChannelHandlerContext ctx, int option, int type, String why) {
    if (!fixedNewstyle) {
      abort(ctx, why);
    } else {
      ctx.writeAndFlush(Replies.error(ctx.alloc(), option, type, why));
    }
    return DONE;
  }

  private CompletableFuture<Void> list(ChannelHandlerContext ctx) {
    return exports.list().handle((vols, err) -> {
      ctx.executor().execute(() -> {
        if (err != null) {
          refuse(ctx, Nbd.OPT_LIST, Nbd.REP_ERR_SHUTDOWN, "cannot list volumes: " + err.getMessage());
          return;
        }
        vols.forEach(v -> ctx.write(Replies.server(ctx.alloc(), v.name())));
        ctx.writeAndFlush(Replies.option(ctx.alloc(), Nbd.OPT_LIST, Nbd.REP_ACK, null));
      });
      return null;
    });
  }

  private CompletableFuture<Void> infoOrGo(ChannelHandlerContext ctx, int option, ByteBuf data) {
    Optional<String> name = OptionParser.exportName(data);
    if (name.isEmpty()) {
      return refuse(ctx, option, Nbd.REP_ERR_INVALID, "malformed NBD_OPT_INFO/GO payload");
    }
    if (option == Nbd.OPT_INFO) {
      return exports.lookup(name.get()).handle((v, err) -> {
        ctx.executor().execute(() -> answerInfo(ctx, name.get(), v, err));
        return null;
      });
    }
    return exports.open(name.get()).handle((x, err) -> {
      ctx.executor().execute(() -> {
        if (err != null) {
          refuse(ctx, option, OptionErrors.of(err), "export " + name.get() + ": " + OptionErrors.message(err));
          return;
        }
        if (!ctx.channel().isActive()) {
          exports.release(x);
          return;
        }
        ctx.write(Replies.infoExport(ctx.alloc(), option, x.device().sizeBytes(), flags(x)));
        ctx.write(Replies.infoBlockSize(ctx.alloc(), option));
        ctx.writeAndFlush(Replies.option(ctx.alloc(), option, Nbd.REP_ACK, null));
        enterTransmission(ctx, x);
      });
      return null;
    });
  }

  private void answerInfo(ChannelHandlerContext ctx, String name, Optional<Volume> v, Throwable err) {
    if (err != null || v.isEmpty()) {
      refuse(ctx, Nbd.OPT_INFO, err == null ? Nbd.REP_ERR_UNKNOWN : OptionErrors.of(err),
          "export " + name + ": " + (err == null ? "no such volume" : OptionErrors.message(err)));
      return;
    }
    int flags = flags(null) | (ExportRegistry.readOnly(name, v.get()) ? Nbd.TFLAG_READ_ONLY : 0);
    ctx.write(Replies.infoExport(ctx.alloc(), Nbd.OPT_INFO, v.get().sizeBytes(), flags));
    ctx.write(Replies.infoBlockSize(ctx.alloc(), Nbd.OPT_INFO));
    ctx.writeAndFlush(Replies.option(ctx.alloc(), Nbd.OPT_INFO, Nbd.REP_ACK, null));
  }

  /** EXPORT_NAME has no error reply: an unknown export can only be answered by closing. */
  private CompletableFuture<Void> exportName(ChannelHandlerContext ctx, String name) {
    return exports.open(name).handle((x, err) -> {
      ctx.executor().execute(() -> {
        if (err != null) {
          abort(ctx, "export " + name + ": " + OptionErrors.message(err));
          return;
        }
        if (!ctx.channel().isActive()) {
          exports.release(x);
          return;
        }
        ctx.writeAndFlush(Replies.exportName(ctx.alloc(), x.device().sizeBytes(), flags(x), noZeroes));
        enterTransmission(ctx, x);
      });
      return null;
    });
  }

  static int flags(Export x) {
    int f = Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_SEND_FLUSH | Nbd.TFLAG_SEND_FUA | Nbd.TFLAG_SEND_TRIM
        | Nbd.TFLAG_SEND_WRITE_ZEROES | Nbd.TFLAG_CAN_MULTI_CONN;
    return x != null && x.readOnly() ? f | Nbd.TFLAG_READ_ONLY : f;
  }

  private void enterTransmission(ChannelHandlerContext ctx, Export x) {
    finished = true;
    dropQueued();
    // Handler first, then decoder: bytes the old decoder still holds flow into the new one,
    // and what that decodes must reach the transmission handler.
    ctx.pipeline().replace(this, "transmission", new TransmissionHandler(x, exports, budget, limits));
    ctx.pipeline().replace("decoder", "decoder", new RequestDecoder());
    if (ctx.pipeline().get("timeout") != null) {
      ctx.pipeline().remove("timeout");  // a connected disk may idle for hours
    }
  }

  private void abort(ChannelHandlerContext ctx, String why) {
    LOG.debug("closing NBD connection {} during negotiation: {}", ctx.channel().remoteAddress(), why);
    finished = true;
    dropQueued();
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    finished = true;
    dropQueued();
    ctx.fireChannelInactive();
  }

  private void dropQueued() {
    queue.forEach(HandshakeHandler::drop);
    queue.clear();
  }

  private static void drop(HandshakeMessage m) {
    if (m instanceof HandshakeMessage.Option o) {
      o.data().release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    abort(ctx, cause.toString());
  }
}

package io.strata.nfs.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per connection: decodes each record's call header and arguments on the event loop, answers
 * header-level errors at once, and runs procedures on the worker executor. Replies go out as
 * they complete (RPC matches them by xid). Reading pauses while the connection has
 * {@link RpcServer.Limits#maxInFlightPerConnection()} calls executing or the server-wide byte
 * budget is spent, so a fast client cannot queue unbounded work.
 */
final class RpcChannelHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(RpcChannelHandler.class);

  private final Map<Integer, RpcProgram> programs;
  private final Executor workers;
  private final InFlightBudget budget;
  private final RpcServer.Limits limits;
  private int inFlight;
  private boolean pausedForBudget;
  private ChannelHandlerContext ctx;

  RpcChannelHandler(Map<Integer, RpcProgram> programs, Executor workers, InFlightBudget budget, RpcServer.Limits limits) {
    this.programs = programs;
    this.workers = workers;
    this.budget = budget;
    this.limits = limits;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf record = (ByteBuf) msg;
    try {
      RpcCallDecoder.Decoded d = RpcCallDecoder.decode(record);
      if (d instanceof RpcCallDecoder.Rejected r) {
        ctx.writeAndFlush(RpcReplies.denied(ctx.alloc(), r.xid(), r.rejectStat(), r.authStat()));
      } else if (d instanceof RpcCallDecoder.Call c) {
        dispatch(c.call(), record.readableBytes() + record.readerIndex());
      } else {
        LOG.debug("dropping record from {}: {}", ctx.channel().remoteAddress(), ((RpcCallDecoder.Dropped) d).why());
      }
    } finally {
      ReferenceCountUtil.release(record);
    }
  }

  private void dispatch(RpcCall call, int recordBytes) {
    RpcProgram program = programs.get(call.program());
    if (program == null) {
      ctx.writeAndFlush(RpcReplies.accepted(ctx.alloc(), call.xid(), Rpc.PROG_UNAVAIL));
      return;
    }
    if (call.version() < program.lowVersion() || call.version() > program.highVersion()) {
      ctx.writeAndFlush(RpcReplies.progMismatch(ctx.alloc(), call.xid(), program.lowVersion(), program.highVersion()));
      return;
    }
    @SuppressWarnings("unchecked")
    RpcProcedure<Object> proc = (RpcProcedure<Object>) program.procedure(call.version(), call.procedure());
    if (proc == null) {
      ctx.writeAndFlush(RpcReplies.accepted(ctx.alloc(), call.xid(), Rpc.PROC_UNAVAIL));
      return;
    }
    Object args;
    try {
      args = proc.decode(new XdrReader(call.args()));
    } catch (XdrException | IllegalArgumentException e) {
      LOG.debug("garbage arguments for {}/{}/{} from {}: {}", call.program(), call.version(), call.procedure(),
          ctx.channel().remoteAddress(), e.getMessage());
      ctx.writeAndFlush(RpcReplies.accepted(ctx.alloc(), call.xid(), Rpc.GARBAGE_ARGS));
      return;
    }
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    CallContext cc = new CallContext(call.credentials(), remote.getAddress(), remote.getPort());
    inFlight++;
    boolean withinBudget = budget.acquire(recordBytes);
    if (inFlight >= limits.maxInFlightPerConnection() || !withinBudget) {
      ctx.channel().config().setAutoRead(false);
      pausedForBudget |= !withinBudget;
    }
    try {
      workers.execute(() -> run(proc, args, call.xid(), cc, recordBytes));
    } catch (RejectedExecutionException e) {
      proc.release(args);
      ctx.writeAndFlush(RpcReplies.accepted(ctx.alloc(), call.xid(), Rpc.SYSTEM_ERR));
      ctx.executor().execute(() -> finished(recordBytes));
    }
  }

  private void run(RpcProcedure<Object> proc, Object args, int xid, CallContext cc, int recordBytes) {
    ByteBuf reply;
    XdrWriter out = RpcReplies.success(ctx.alloc(), xid, proc.replySizeHint(args));
    try {
      proc.execute(args, cc, out);
      reply = out.buffer();
    } catch (RuntimeException | Error e) {
      LOG.warn("procedure failed for xid {} from {}", xid, cc.client(), e);
      out.buffer().release();
      reply = RpcReplies.accepted(ctx.alloc(), xid, Rpc.SYSTEM_ERR);
    } finally {
      proc.release(args);
    }
    ctx.writeAndFlush(reply);
    ctx.executor().execute(() -> finished(recordBytes));
  }

  private void finished(int recordBytes) {
    inFlight--;
    budget.release(recordBytes);
    if (ctx.channel().config().isAutoRead() || inFlight >= limits.maxInFlightPerConnection()) {
      return;
    }
    if (pausedForBudget) {
      pausedForBudget = false;
      budget.pause(() -> ctx.executor().execute(this::resume));
    } else {
      resume();
    }
  }

  private void resume() {
    if (inFlight < limits.maxInFlightPerConnection()) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      LOG.warn("closing {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
    } else {
      LOG.debug("closing {} after {}", ctx.channel().remoteAddress(), cause.toString());
    }
    ctx.close();
  }
}

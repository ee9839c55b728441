package io.strata.nfs.rpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.strata.transport.EventLoops;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONC RPC over TCP on one port: record marking → call decoding → the programs given. The event
 * loops are shared with the other RPC ports of the gateway; procedures run on {@code workers}.
 */
public final class RpcServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);

  /** Bounds per server (each a named limit with its unit). */
  public record Limits(int maxRecordBytes, int maxConnections, int maxInFlightPerConnection,
                       long maxInFlightBytes, int idleTimeoutSeconds) {}

  private final String name;
  private final Map<Integer, RpcProgram> programs = new HashMap<>();
  private final Limits limits;
  private final InFlightBudget budget;
  private final ReplyCache replies = new ReplyCache();
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private Channel listener;

  public RpcServer(String name, List<RpcProgram> served, Limits limits) {
    this.name = name;
    served.forEach(p -> programs.put(p.program(), p));
    this.limits = limits;
    this.budget = new InFlightBudget(limits.maxInFlightBytes());
  }

  public RpcServer start(EventLoopGroup boss, EventLoopGroup loops, Executor workers, String host, int port)
      throws InterruptedException {
    listener = new ServerBootstrap().group(boss, loops)
        .channel(EventLoops.serverChannel())
        // Pooled buffers with chunks large enough for a whole 1 MiB WRITE record: Netty 4.2's
        // default allocator assembled each one in a fresh, zeroed direct buffer.
        .childOption(ChannelOption.ALLOCATOR, EventLoops.ALLOCATOR)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (connections.size() >= limits.maxConnections()) {
              LOG.warn("{}: refusing {}: {} connections open", name, ch.remoteAddress(), connections.size());
              ch.close();
              return;
            }
            connections.add(ch);
            ch.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeoutSeconds(), TimeUnit.SECONDS) {
                  @Override
                  protected void channelIdle(io.netty.channel.ChannelHandlerContext ctx, io.netty.handler.timeout.IdleStateEvent e) {
                    ctx.close();
                  }
                })
                .addLast("flush", new FlushConsolidationHandler(64, true))
                .addLast("framing", new RecordMarkingDecoder(limits.maxRecordBytes()))
                .addLast("marking", RecordMarkingEncoder.INSTANCE)
                .addLast("rpc", new RpcChannelHandler(programs, workers, budget, limits, replies));
          }
        })
        .bind(host, port).sync().channel();
    LOG.info("{} listening on {}:{}", name, host, port());
    return this;
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  public int connectionCount() {
    return connections.size();
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    connections.close().awaitUninterruptibly();
  }
}

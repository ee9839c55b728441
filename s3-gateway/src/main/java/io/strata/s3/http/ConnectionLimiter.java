package io.strata.s3.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/** Closes connections beyond the configured count at accept time (bounded resources, invariant 5). */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();

  public ConnectionLimiter(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      ctx.close();
      return;
    }
    ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
    ctx.fireChannelActive();
  }

  public int open() {
    return open.get();
  }
}

package io.strata.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link DataService} over framed TCP. Requests of one connection are handled as they
 * are decoded (many in flight, replies in completion order); replies are coalesced per burst.
 * Bounded: a connection with more than {@link #MAX_IN_FLIGHT_BYTES} of payload or
 * {@link #MAX_IN_FLIGHT_REQUESTS} requests unanswered stops being read until it drains below half.
 */
public final class DataServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataServer.class);
  public static final long MAX_IN_FLIGHT_BYTES = 64L << 20;
  public static final int MAX_IN_FLIGHT_REQUESTS = 4096;

  private final Channel serverChannel;
  private final LocalEndpoints.Endpoint local;
  private final java.util.Set<Channel> children = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public DataServer(String host, int port, DataService service) throws InterruptedException {
    // SO_REUSEADDR: a fixed port must bind although a TIME_WAIT socket of some client still holds it.
    ServerBootstrap b = new ServerBootstrap().group(EventLoops.group()).channel(EventLoops.serverChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.ALLOCATOR, EventLoops.ALLOCATOR)
        .childOption(ChannelOption.ALLOCATOR, EventLoops.ALLOCATOR)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            children.add(ch);
            ch.closeFuture().addListener(f -> children.remove(ch));
            ch.pipeline().addLast(new FrameDecoder(), FrameEncoder.INSTANCE, new Connection(ch, service));
          }
        });
    this.serverChannel = b.bind(new InetSocketAddress(host, port)).sync().channel();
    this.local = LocalEndpoints.register(host + ":" + port(), service);
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  @Override
  public void close() {
    local.close();
    serverChannel.close().awaitUninterruptibly();
    children.forEach(Channel::close);
  }

  /** One accepted connection: dispatch, replies, back-pressure. */
  private static final class Connection extends ChannelInboundHandlerAdapter {
    private final Channel channel;
    private final DataService service;
    private final Outbox outbox;
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final AtomicLong inFlightRequests = new AtomicLong();

    Connection(Channel channel, DataService service) {
      this.channel = channel;
      this.service = service;
      this.outbox = new Outbox(channel);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Frame f = (Frame) msg;
      if (f.kind().isReply()) {
        f.release();
        LOG.debug("closing {}: a client sent a reply frame", channel.remoteAddress());
        ctx.close();
        return;
      }
      long bytes = f.payload().readableBytes();
      if (inFlightBytes.addAndGet(bytes) > MAX_IN_FLIGHT_BYTES
          | inFlightRequests.incrementAndGet() > MAX_IN_FLIGHT_REQUESTS) {
        channel.config().setAutoRead(false);
      }
      DataService.Reply reply = new OnceReply(f, answer -> {
        outbox.send(answer);
        if (inFlightBytes.addAndGet(-bytes) <= MAX_IN_FLIGHT_BYTES / 2
            & inFlightRequests.decrementAndGet() <= MAX_IN_FLIGHT_REQUESTS / 2 && !channel.config().isAutoRead()) {
          channel.config().setAutoRead(true);
        }
      });
      try {
        service.handle(f, reply);
      } catch (RuntimeException e) {
        LOG.warn("data request of kind {} failed; closing {}", f.kind(), channel.remoteAddress(), e);
        ctx.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("data connection {} failed: {}", channel.remoteAddress(), cause.toString());
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      outbox.discard();
    }
  }
}

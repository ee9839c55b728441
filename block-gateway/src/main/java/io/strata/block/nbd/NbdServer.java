package io.strata.block.nbd;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.strata.block.volume.Snapshot;
import io.strata.block.volume.VolumeService;
import io.strata.client.StrataClient;
import io.strata.transport.EventLoops;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NBD front-end: export name = volume name. Pipeline per connection: timeout → decoder →
 * handshake handler; after NBD_OPT_GO the decoder and handler are swapped for their
 * transmission-phase counterparts and the timeout is dropped.
 */
public final class NbdServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NbdServer.class);

  private final String host;
  private final int requestedPort;
  private final VolumeService volumes;
  private final ExportRegistry exports;
  private final NbdLimits limits;
  private final InFlightBudget budget;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel listener;
  private boolean closed;

  public NbdServer(StrataClient client, int poolId, String host, int port) {
    this(new VolumeService(client, poolId), client, host, port, "nbd-gw-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /** {@code gatewayId} names this gateway as the holder of the volumes it serves. */
  public NbdServer(VolumeService volumes, StrataClient client, String host, int port, String gatewayId) {
    this(volumes, client, host, port, gatewayId, NbdLimits.DEFAULTS);
  }

  public NbdServer(VolumeService volumes, StrataClient client, String host, int port, String gatewayId,
                   NbdLimits limits) {
    this.limits = limits;
    this.budget = new InFlightBudget(limits.serverInFlightBytes());
    this.host = host;
    this.requestedPort = port;
    this.volumes = volumes;
    this.exports = new ExportRegistry(volumes, client.chunks().completingInline(), gatewayId);
  }

  public VolumeService volumes() {
    return volumes;
  }

  public NbdServer start() throws InterruptedException {
    // epoll where the native transport loads (fewer syscalls and copies than NIO), NIO elsewhere.
    boolean epoll = Epoll.isAvailable();
    boss = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    // Connections live on the data transport's loops: a request, its chunk calls to this process'
    // datanodes and its reply then run on one thread, without waking another (docs/design.md).
    workers = EventLoops.group();
    listener = new ServerBootstrap().group(boss, workers)
        .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOCATOR, EventLoops.ALLOCATOR)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (connections.size() >= Nbd.MAX_CONNECTIONS) {
              LOG.warn("refusing NBD connection from {}: {} connections open", ch.remoteAddress(), connections.size());
              ch.close();
              return;
            }
            connections.add(ch);
            ch.pipeline()
                // Replies completing together leave in one write instead of one syscall each.
                .addLast("flushes", new FlushConsolidationHandler(Nbd.MAX_IN_FLIGHT_REQUESTS, true))
                .addLast("timeout", new ReadTimeoutHandler(Nbd.HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .addLast("decoder", new HandshakeDecoder())
                .addLast("handshake", new HandshakeHandler(exports, budget, limits));
          }
        })
        .bind(host, requestedPort).sync().channel();
    LOG.info("NBD server listening on {}:{}", host, port());
    return this;
  }

  /** A consistent snapshot, also of a volume this gateway is serving (its writes pause meanwhile). */
  public Snapshot snapshot(String volume, String snapshot) {
    try {
      return exports.snapshot(volume, snapshot).join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** Stops accepting, closes connections, then flushes and detaches every served volume. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long start = System.nanoTime();
    int port = listener != null && listener.localAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    int open = connections.size();
    connections.close().awaitUninterruptibly();
    if (boss != null) {
      boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();  // the workers are shared: they stay
    }
    exports.close();
    // How long a client's reconnect has to wait for a successor; qemu's reconnect-delay must cover it.
    LOG.info("NBD server on port {} closed ({} connections) in {} ms", port, open,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }
}

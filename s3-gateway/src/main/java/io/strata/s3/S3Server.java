package io.strata.s3;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.strata.transport.EventLoops;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.strata.client.StrataClient;
import io.strata.s3.auth.IamStore;
import io.strata.s3.auth.RequestAuthenticator;
import io.strata.s3.auth.SigV4Verifier;
import io.strata.s3.http.ConnectionLimiter;
import io.strata.s3.http.GatewayServices;
import io.strata.s3.http.RequestParser;
import io.strata.s3.http.S3ConnectionHandler;
import io.strata.s3.ops.S3Router;
import io.strata.s3.ops.Services;
import io.strata.s3.store.GarbageCollector;
import io.strata.s3.store.ObjectStore;
import io.strata.s3.store.PendingCleanups;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The S3 gateway: a Netty HTTP/1.1 server in front of the storage client library. The pipeline
 * is limiter → idle timer → HTTP codec (bounded head) → the S3 connection handler (which
 * turns auto-read off while a request is busy); blocking metadata work runs on a bounded worker pool.
 */
public final class S3Server implements AutoCloseable {
  private static final Duration CLEANUP_WAIT = Duration.ofSeconds(10);
  private final StrataClient client;
  private final int poolId;
  private final String host;
  private final int requestedPort;
  private final S3Config config;
  private final IamStore iam;
  private final GarbageCollector gc;
  private final ThreadPoolExecutor workers;
  /** Aborted uploads' clean-ups, awaited (up to {@link #CLEANUP_WAIT}) when the gateway stops. */
  private final PendingCleanups cleanups = new PendingCleanups();
  private final ConnectionLimiter limiter;
  private EventLoopGroup boss;
  private EventLoopGroup loops;
  private Channel channel;
  private Channel tlsChannel;
  private SslContext tls;
  private int requestedTlsPort = -1;

  public S3Server(StrataClient client, int poolId, String host, int port) {
    this(client, poolId, host, port, S3Config.defaults());
  }

  public S3Server(StrataClient client, int poolId, String host, int port, S3Config config) {
    this.client = client;
    this.poolId = poolId;
    this.host = host;
    this.requestedPort = port;
    this.config = config;
    this.iam = new IamStore(client.metadata());
    this.gc = new GarbageCollector(client.metadata(), client.chunks(), poolId);
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(config.workerQueueDepth()), r -> {
          Thread t = new Thread(r, "s3-worker-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.limiter = new ConnectionLimiter(config.maxConnections());
  }

  /** Also serve HTTPS on {@code port} (0 = any) with this context; call before {@link #start()}. */
  public S3Server withTls(int port, SslContext context) {
    this.requestedTlsPort = port;
    this.tls = context;
    return this;
  }

  public S3Server start() throws InterruptedException {
    ObjectStore store = new ObjectStore(client.metadata(), gc);
    Services services = new Services(store, client.chunks(), poolId, workers, config, new io.strata.s3.policy.AccessControl(),
        new io.strata.s3.store.BufferBudget(S3Config.BUFFER_BUDGET_BYTES), cleanups);
    GatewayServices gateway = new GatewayServices(new RequestParser(config.virtualHostSuffixes()),
        new RequestAuthenticator(iam::lookup, new SigV4Verifier(Clock.systemUTC())), new S3Router(services), workers);
    boss = EventLoops.newGroup(1, "s3-accept");
    // One loop per core: the loops hash every payload (MD5, SHA-256, CRC), so more loops than
    // cores only add switches between them.
    loops = EventLoops.newGroup(Runtime.getRuntime().availableProcessors(), "s3-io");
    HttpDecoderConfig decoder = new HttpDecoderConfig().setMaxInitialLineLength(config.maxInitialLineBytes())
        .setMaxHeaderSize(config.maxHeaderBytes()).setMaxChunkSize(S3Config.DECODER_CHUNK_BYTES);
    channel = bootstrap(gateway, decoder, null).bind(new InetSocketAddress(host, requestedPort)).sync().channel();
    if (tls != null) {
      tlsChannel = bootstrap(gateway, decoder, tls).bind(new InetSocketAddress(host, requestedTlsPort)).sync().channel();
    }
    gc.start();
    return this;
  }

  private ServerBootstrap bootstrap(GatewayServices gateway, HttpDecoderConfig decoder, SslContext ssl) {
    return new ServerBootstrap().group(boss, loops).channel(EventLoops.serverChannel())
        .childOption(io.netty.channel.ChannelOption.ALLOCATOR, EventLoops.ALLOCATOR)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(limiter);
            if (ssl != null) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
            }
            ch.pipeline().addLast(new IdleStateHandler(0, 0, config.idleTimeoutSeconds()))
                .addLast(new HttpServerCodec(decoder))
                .addLast(new S3ConnectionHandler(gateway));
          }
        });
  }

  /** The HTTPS port, or -1 when TLS is off. */
  public int tlsPort() {
    return tlsChannel == null ? -1 : ((InetSocketAddress) tlsChannel.localAddress()).getPort();
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Users and keys; the launcher creates the first user through this. */
  public IamStore iam() {
    return iam;
  }

  public GarbageCollector garbageCollector() {
    return gc;
  }

  /**
   * Health as JSON: "ok" when the listeners are bound and the metadata service answers a read
   * within its timeout, "unavailable" otherwise.
   */
  public String healthJson() {
    boolean meta;
    String error = "";
    try {
      client.metadata().clusterMap(Long.MAX_VALUE);
      meta = true;
    } catch (RuntimeException e) {
      meta = false;
      error = String.valueOf(e.getMessage()).replace("\\", "/").replace("\"", "'");
    }
    boolean up = channel != null && channel.isActive();
    return "{\"status\":\"" + (up && meta ? "ok" : "unavailable") + "\",\"port\":" + (up ? port() : -1)
        + ",\"tlsPort\":" + tlsPort() + ",\"openConnections\":" + openConnections() + ",\"metadata\":"
        + (meta ? "\"reachable\"" : "\"unreachable\",\"error\":\"" + error + "\"") + "}";
  }

  public int openConnections() {
    return limiter.open();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    if (tlsChannel != null) {
      tlsChannel.close().syncUninterruptibly();
    }
    if (loops != null) {
      loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    // Closing the connections aborted their uploads: let those drain their chunk writes and hand
    // the data to the GC while the workers still run. Bounded; what is left stays to the sweep.
    cleanups.await(CLEANUP_WAIT);
    gc.close();
    workers.shutdownNow();
  }
}

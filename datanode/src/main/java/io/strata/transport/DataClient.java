package io.strata.transport;

import com.google.protobuf.MessageLite;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls over one long-lived data connection to one address: many calls in flight, matched to
 * replies by call id, written in coalesced bursts. A broken connection fails its calls and the
 * next call reconnects. Bounded: at most {@link #MAX_PENDING_CALLS} calls and
 * {@link #MAX_PENDING_BYTES} of request payload in flight, every call has a deadline. Replies
 * complete on the connection's event loop, so continuations must not block. A server of this
 * same process is called without a socket when {@link LocalEndpoints} allows it.
 */
public final class DataClient implements AutoCloseable {
  public static final int MAX_PENDING_CALLS = 16_384;
  public static final long MAX_PENDING_BYTES = 512L << 20;
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final long SWEEP_MILLIS = 100;
  static final long RECONNECT_PAUSE_MILLIS = 200;

  private final String host;
  private final int port;
  private final AtomicLong nextCallId = new AtomicLong();
  private volatile Link connection;
  private volatile long lastConnectFailureNanos;
  private volatile boolean closed;

  public DataClient(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("not host:port: " + address);
    }
    this.host = address.substring(0, colon);
    this.port = Integer.parseInt(address.substring(colon + 1));
  }

  /**
   * Sends one request; the returned frame (the reply) is the caller's to release. The request
   * payload's reference passes to the transport.
   */
  public CompletableFuture<Frame> call(Kind kind, MessageLite header, ByteBuf payload, long timeoutMillis) {
    Link c;
    try {
      c = connection();
    } catch (RuntimeException e) {
      payload.release();
      return CompletableFuture.failedFuture(e);
    }
    long callId = nextCallId.incrementAndGet();
    CompletableFuture<Frame> reply = c.calls().add(callId, payload, System.nanoTime()
        + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    if (!reply.isDone()) {  // done: refused by the link's bounds
      c.send(new Frame(kind, callId, header, payload));
    }
    return reply;
  }

  private Link connection() {
    Link c = connection;
    if (c != null && !c.dead()) {
      return c;
    }
    synchronized (this) {
      if (closed) {
        throw new TransportException("client to " + host + ":" + port + " is closed");
      }
      c = connection;
      if (c != null && !c.dead()) {
        return c;
      }
      if (System.nanoTime() - lastConnectFailureNanos < TimeUnit.MILLISECONDS.toNanos(RECONNECT_PAUSE_MILLIS)) {
        throw new TransportException("connection to " + host + ":" + port + " failed just now");
      }
      LocalEndpoints.Endpoint local = LocalEndpoints.lookup(host + ":" + port);
      connection = c = local != null ? new LocalLink(local) : new Connection();
      return c;
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    Link c = connection;
    if (c != null) {
      c.close();
    }
  }

  /** A failure to reach or keep the peer; the call may or may not have been applied. */
  public static final class TransportException extends RuntimeException {
    public TransportException(String message) {
      super(message);
    }
  }

  /** What a call returns once answered, by when, and what it counts against the bounds. */
  private record Pending(CompletableFuture<Frame> reply, long deadlineNanos, long bytes) {}

  /** A way to the server: a TCP connection, or a local link to a server in this process. */
  private interface Link {
    boolean dead();

    /** The calls waiting on this link; a call is added here before its request is sent. */
    Calls calls();

    /** Sends a registered call's request (the frame's payload reference passes on). */
    void send(Frame request);

    void close();
  }

  /** The calls of one link waiting for replies: bounds, deadlines, failure. */
  private final class Calls {
    final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    final AtomicLong pendingBytes = new AtomicLong();

    /** Registers a call, or fails it (releasing the payload) when the link is full. */
    CompletableFuture<Frame> add(long callId, ByteBuf payload, long deadline) {
      long bytes = payload.readableBytes();
      if (pending.size() >= MAX_PENDING_CALLS || pendingBytes.get() + bytes > MAX_PENDING_BYTES) {
        payload.release();
        return CompletableFuture.failedFuture(new TransportException("too much in flight to " + host + ":" + port
            + " (" + pending.size() + " calls, " + pendingBytes.get() + " bytes)"));
      }
      CompletableFuture<Frame> reply = new CompletableFuture<>();
      pending.put(callId, new Pending(reply, deadline, bytes));
      pendingBytes.addAndGet(bytes);
      return reply;
    }

    /** Completes a call with its reply frame (released if nobody waits for it any more). */
    void answer(Frame f) {
      Pending p = pending.remove(f.callId());
      if (p == null || !f.kind().isReply()) {
        f.release();  // its call timed out already, or the server misbehaves
        return;
      }
      pendingBytes.addAndGet(-p.bytes());
      if (!p.reply().complete(f)) {
        f.release();
      }
    }

    void sweep() {
      long now = System.nanoTime();
      List<Long> expired = new ArrayList<>();
      pending.forEach((id, p) -> {
        if (now - p.deadlineNanos() > 0) {
          expired.add(id);
        }
      });
      expired.forEach(id -> fail(id, new TimeoutException("no reply from " + host + ":" + port + " in time")));
    }

    void fail(long callId, Throwable t) {
      Pending p = pending.remove(callId);
      if (p != null) {
        pendingBytes.addAndGet(-p.bytes());
        p.reply().completeExceptionally(t);
      }
    }

    void failAll(Throwable t) {
      new ArrayList<>(pending.keySet()).forEach(id -> fail(id, t));
    }
  }

  /** One TCP connection and the calls waiting on it. */
  private final class Connection extends ChannelInboundHandlerAdapter implements Link {
    final Channel channel;
    final Outbox outbox;
    final Calls calls = new Calls();
    final ChannelFuture connected;
    volatile boolean dead;
    volatile ScheduledFuture<?> sweeper;

    Connection() {
      Bootstrap b = new Bootstrap().group(EventLoops.group()).channel(EventLoops.socketChannel())
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.ALLOCATOR, EventLoops.ALLOCATOR)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new FrameDecoder(), FrameEncoder.INSTANCE, Connection.this);
            }
          });
      connected = b.connect(new InetSocketAddress(host, port));
      channel = connected.channel();
      outbox = new Outbox(channel);
      connected.addListener(f -> {
        if (f.isSuccess()) {
          sweeper = channel.eventLoop().scheduleAtFixedRate(calls::sweep, SWEEP_MILLIS, SWEEP_MILLIS,
              TimeUnit.MILLISECONDS);
          if (dead) {
            sweeper.cancel(false);
          }
        } else {
          lastConnectFailureNanos = System.nanoTime();
          die(new TransportException("cannot connect to " + host + ":" + port + ": " + f.cause()));
        }
      });
      channel.closeFuture().addListener(f -> die(new TransportException("connection to " + host + ":" + port
          + " closed")));
    }

    @Override
    public boolean dead() {
      return dead;
    }

    @Override
    public void close() {
      channel.close();
    }

    @Override
    public Calls calls() {
      return calls;
    }

    @Override
    public void send(Frame f) {
      if (dead) {
        calls.fail(f.callId(), new TransportException("connection to " + host + ":" + port + " is closed"));
        f.release();
      } else if (connected.isSuccess()) {
        outbox.send(f);
      } else {
        connected.addListener(done -> {
          if (done.isSuccess()) {
            outbox.send(f);
          } else {
            f.release();
          }
        });
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      calls.answer((Frame) msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    private void die(Throwable t) {
      dead = true;
      ScheduledFuture<?> s = sweeper;
      if (s != null) {
        s.cancel(false);  // one periodic task per dead connection would pile up forever
      }
      outbox.discard();
      calls.failAll(t);
    }
  }

  /**
   * A link to a server in this process: each request runs on one server event loop (in order, as
   * on a connection) and each reply completes on one client event loop, as over TCP, so no
   * server code ever runs inside a client's call or on a disk's writer thread, and no client
   * continuation inside the server's reply.
   */
  private final class LocalLink implements Link {
    /** Batch reads of more blocks than this (64 KiB) are served beside the caller, not after it. */
    static final int SMALL_BATCH_READS = 16;
    final LocalEndpoints.Endpoint endpoint;
    /**
     * Links take turns at the loops. Two {@code next()} calls per link, as before, gave every
     * link of a two-loop process the same server loop: all chunk writes of the embedded cloud
     * then ran on one core while the other idled (docs/benchmarks.md, 2026-12-07 19:00).
     */
    final io.netty.channel.EventLoop serverLoop = EventLoops.nextLoop();
    final io.netty.channel.EventLoop clientLoop = EventLoops.otherLoop(serverLoop);
    final Calls calls = new Calls();
    final ScheduledFuture<?> sweeper;
    final Runnable onServerClose = () -> die(new TransportException("server " + host + ":" + port + " closed"));
    volatile boolean dead;

    LocalLink(LocalEndpoints.Endpoint endpoint) {
      this.endpoint = endpoint;
      this.sweeper = clientLoop.scheduleAtFixedRate(calls::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
      endpoint.onClose(onServerClose);
    }

    @Override
    public boolean dead() {
      return dead;
    }

    @Override
    public void close() {
      endpoint.forget(onServerClose);
      die(new TransportException("client to " + host + ":" + port + " is closed"));
    }

    @Override
    public Calls calls() {
      return calls;
    }

    @Override
    public void send(Frame request) {
      LocalEndpoints.CALLS.increment();
      try {
        loopFor(request).execute(() -> serve(request));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        request.release();
        calls.fail(request.callId(), new TransportException("server " + host + ":" + port + " is shutting down"));
      }
    }

    /**
     * A caller on a data loop queues a small read on its own loop: it runs right after the
     * caller's task, with no thread to wake (FIFO per calling thread, as over one connection).
     * Writes keep the link's loop: a 1 MiB NBD write's 256 chunk writes and their forwards all
     * queued on the caller's loop ran at a third of the rate.
     * 4 KiB random reads over NBD went from 25 to 11-17 µs of CPU each (docs/benchmarks.md,
     * 2026-12-07 17:00). A large batch read goes to the other loop, so its copying runs beside
     * the caller's work instead of after it (1 MiB reads lost a third of their rate without that).
     */
    private io.netty.channel.EventLoop loopFor(Frame request) {
      io.netty.channel.EventLoop here = EventLoops.currentLoop();
      if (here == null || request.kind() != Kind.READ && request.kind() != Kind.READ_BATCH) {
        return serverLoop;
      }
      if (request.header() instanceof io.strata.proto.ReadChunkBatch b && b.getRequestsCount() > SMALL_BATCH_READS) {
        return EventLoops.otherLoop(here);
      }
      return here;
    }

    private void serve(Frame request) {
      if (dead || endpoint.closed()) {
        request.release();
        calls.fail(request.callId(), new TransportException("server " + host + ":" + port + " closed"));
        return;
      }
      DataService.Reply reply = new OnceReply(request, f -> {
        if (EventLoops.inDataLoop()) {
          // Already on a data loop, where a reply over TCP would complete too: no second hop.
          calls.answer(f);
          return;
        }
        try {
          clientLoop.execute(() -> calls.answer(f));
        } catch (java.util.concurrent.RejectedExecutionException e) {
          f.release();
        }
      });
      try {
        endpoint.service.handle(request, reply);
      } catch (RuntimeException e) {  // as over TCP, where the server closes the connection
        die(new TransportException("request of kind " + request.kind() + " to " + host + ":" + port + " failed: " + e));
      }
    }

    private void die(Throwable t) {
      dead = true;
      sweeper.cancel(false);
      calls.failAll(t);
    }
  }
}

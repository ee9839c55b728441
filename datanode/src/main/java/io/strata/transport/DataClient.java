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
 * complete on the connection's event loop, so continuations must not block.
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
  private volatile Connection connection;
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
    Connection c;
    try {
      c = connection();
    } catch (RuntimeException e) {
      payload.release();
      return CompletableFuture.failedFuture(e);
    }
    return c.call(nextCallId.incrementAndGet(), kind, header, payload, System.nanoTime()
        + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
  }

  private Connection connection() {
    Connection c = connection;
    if (c != null && !c.dead) {
      return c;
    }
    synchronized (this) {
      if (closed) {
        throw new TransportException("client to " + host + ":" + port + " is closed");
      }
      c = connection;
      if (c != null && !c.dead) {
        return c;
      }
      if (System.nanoTime() - lastConnectFailureNanos < TimeUnit.MILLISECONDS.toNanos(RECONNECT_PAUSE_MILLIS)) {
        throw new TransportException("connection to " + host + ":" + port + " failed just now");
      }
      connection = c = new Connection();
      return c;
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    Connection c = connection;
    if (c != null) {
      c.channel.close();
    }
  }

  /** A failure to reach or keep the peer; the call may or may not have been applied. */
  public static final class TransportException extends RuntimeException {
    public TransportException(String message) {
      super(message);
    }
  }

  private record Pending(CompletableFuture<Frame> reply, long deadlineNanos, long bytes) {}

  /** One TCP connection and the calls waiting on it. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    final Channel channel;
    final Outbox outbox;
    final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    final AtomicLong pendingBytes = new AtomicLong();
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
          sweeper = channel.eventLoop().scheduleAtFixedRate(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS,
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

    CompletableFuture<Frame> call(long callId, Kind kind, MessageLite header, ByteBuf payload, long deadline) {
      long bytes = payload.readableBytes();
      if (pending.size() >= MAX_PENDING_CALLS || pendingBytes.get() + bytes > MAX_PENDING_BYTES) {
        payload.release();
        return CompletableFuture.failedFuture(new TransportException("too much in flight to " + host + ":" + port
            + " (" + pending.size() + " calls, " + pendingBytes.get() + " bytes)"));
      }
      CompletableFuture<Frame> reply = new CompletableFuture<>();
      pending.put(callId, new Pending(reply, deadline, bytes));
      pendingBytes.addAndGet(bytes);
      Frame f = new Frame(kind, callId, header, payload);
      if (dead) {
        fail(callId, new TransportException("connection to " + host + ":" + port + " is closed"));
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
      return reply;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Frame f = (Frame) msg;
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    private void sweep() {
      long now = System.nanoTime();
      List<Long> expired = new ArrayList<>();
      pending.forEach((id, p) -> {
        if (now - p.deadlineNanos() > 0) {
          expired.add(id);
        }
      });
      expired.forEach(id -> fail(id, new TimeoutException("no reply from " + host + ":" + port + " in time")));
    }

    private void fail(long callId, Throwable t) {
      Pending p = pending.remove(callId);
      if (p != null) {
        pendingBytes.addAndGet(-p.bytes());
        p.reply().completeExceptionally(t);
      }
    }

    private void die(Throwable t) {
      dead = true;
      ScheduledFuture<?> s = sweeper;
      if (s != null) {
        s.cancel(false);  // one periodic task per dead connection would pile up forever
      }
      outbox.discard();
      new ArrayList<>(pending.keySet()).forEach(id -> fail(id, t));
    }
  }
}

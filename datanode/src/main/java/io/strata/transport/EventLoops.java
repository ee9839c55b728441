package io.strata.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loops every data connection of this process runs on, servers and clients alike:
 * one per core, at most {@link #MAX_THREADS} (PERFORMANCE.md rule 13), epoll when available.
 * Handlers on these threads never block: disk work goes to a disk's writer, repair to executors.
 */
public final class EventLoops {
  public static final int MAX_THREADS = 2;

  private static final boolean EPOLL = Epoll.isAvailable();
  private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
      Integer.getInteger("strata.data.eventLoops", Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors())),
      new DefaultThreadFactory("strata-data", true),
      EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());

  /**
   * The buffer allocator of every data connection and of the disk paths that fill their payloads:
   * Netty's pooled allocator with thread-local caches. Netty 4.2's default adaptive allocator cost
   * 15-30% more CPU per operation on the NBD benchmarks (docs/benchmarks.md, 2026-12-02).
   * Buffers of 256 KiB and more come from {@link LargeBuffers} instead.
   */
  public static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

  private EventLoops() {}

  public static EventLoopGroup group() {
    return GROUP;
  }

  /** Whether the calling thread is one of the data event loops. */
  public static boolean inDataLoop() {
    return currentLoop() != null;
  }

  /** The data event loops in turn, for work that is placed once and stays (a local link's loops). */
  public static io.netty.channel.EventLoop nextLoop() {
    return (io.netty.channel.EventLoop) GROUP.next();
  }

  /** A data event loop other than {@code loop} (itself if it is the only one). */
  public static io.netty.channel.EventLoop otherLoop(io.netty.channel.EventLoop loop) {
    for (io.netty.util.concurrent.EventExecutor e : GROUP) {
      if (e != loop) {
        return (io.netty.channel.EventLoop) e;
      }
    }
    return loop;
  }

  /** The data event loop the calling thread is, or null. */
  public static io.netty.channel.EventLoop currentLoop() {
    for (io.netty.util.concurrent.EventExecutor e : GROUP) {
      if (e.inEventLoop()) {
        return (io.netty.channel.EventLoop) e;
      }
    }
    return null;
  }

  static Class<? extends SocketChannel> socketChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /**
   * A new group of {@code threads} event loops for a front-end's own server (NBD, S3, NFS),
   * epoll when available like the data transport's; use it with {@link #serverChannel()} and
   * {@link #ALLOCATOR}.
   */
  public static EventLoopGroup newGroup(int threads, String name) {
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
        EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  public static Class<? extends ServerChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }
}

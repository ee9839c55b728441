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
   * Its arenas carve 16 MiB chunks ({@code maxOrder} 11 over 8 KiB pages) instead of the default
   * 4 MiB: a 4 MiB object chunk plus its frame header or O_DIRECT alignment is just over 4 MiB,
   * and every such buffer was a fresh, zeroed, unpooled allocation (a profile of large S3 PUTs
   * had 3.5% of all samples zeroing them, plus the page faults; docs/benchmarks.md 2026-12-07).
   */
  public static final ByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(true,
      PooledByteBufAllocator.defaultNumHeapArena(), PooledByteBufAllocator.defaultNumDirectArena(),
      PooledByteBufAllocator.defaultPageSize(), 11, PooledByteBufAllocator.defaultSmallCacheSize(),
      PooledByteBufAllocator.defaultNormalCacheSize(), PooledByteBufAllocator.defaultUseCacheForAllThreads());

  private EventLoops() {}

  public static EventLoopGroup group() {
    return GROUP;
  }

  static Class<? extends SocketChannel> socketChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  static Class<? extends ServerChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }
}

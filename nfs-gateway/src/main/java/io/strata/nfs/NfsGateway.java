package io.strata.nfs;

import io.netty.channel.EventLoopGroup;
import io.strata.client.StrataClient;
import io.strata.common.Metrics;
import io.strata.common.Threads;
import io.strata.nfs.fs.BlockMemory;
import io.strata.nfs.fs.FileSystem;
import io.strata.nfs.mount.MountProgram;
import io.strata.nfs.nfs3.Nfs3Program;
import io.strata.nfs.portmap.PortmapProgram;
import io.strata.nfs.rpc.RpcProgram;
import io.strata.nfs.rpc.RpcServer;
import io.strata.transport.EventLoops;
import io.strata.nfs.share.Exports;
import io.strata.nfs.share.ShareService;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NFS front-end: NFSv3 on one port, MOUNT v3 on another, and a portmapper (on 111 when it
 * is free) for clients that ask where they are; every port answers all three programs, so a
 * client that names either port works. Procedures run on a bounded worker pool; one background
 * thread does write-back, garbage collection and share refreshes.
 */
public final class NfsGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NfsGateway.class);
  static final int EVENT_LOOP_THREADS = 2;
  static final long TICK_MILLIS = 100;
  static final long MAINTAIN_MILLIS = 2_000;

  private final NfsConfig config;
  private final Exports exports;
  private final BlockMemory memory;
  private final Nfs3Program nfs;
  private final List<RpcServer> servers = new ArrayList<>();
  private EventLoopGroup boss;
  private EventLoopGroup loops;
  private ThreadPoolExecutor workers;
  private ScheduledExecutorService background;
  private RpcServer nfsServer;
  private RpcServer mountServer;
  private RpcServer portmapServer;

  public NfsGateway(StrataClient client, int poolId, NfsConfig config) {
    this.config = config;
    this.memory = new BlockMemory(config.cacheBytes(), config.dirtyBytes());
    this.exports = new Exports(client, poolId, memory, "nfs-gw-" + UUID.randomUUID().toString().substring(0, 8));
    this.nfs = new Nfs3Program(exports);
  }

  public NfsGateway start() throws InterruptedException {
    boss = EventLoops.newGroup(1, "nfs-accept");
    loops = EventLoops.newGroup(EVENT_LOOP_THREADS, "nfs-io");
    int queue = 3 * config.limits().maxConnections() * config.limits().maxInFlightPerConnection();
    workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queue), Threads.daemon("nfs-worker"));
    MountProgram mount = new MountProgram(exports);
    PortmapProgram portmap = new PortmapProgram(this::mappings);
    List<RpcProgram> all = List.of(nfs, mount, portmap);
    nfsServer = listen("NFSv3", all, config.nfsPort());
    mountServer = listen("MOUNT", all, config.mountPort());
    if (config.portmapPort() >= 0) {
      try {
        portmapServer = listen("portmapper", List.of(portmap), config.portmapPort());
      } catch (Exception e) {
        LOG.warn("portmapper not started on port {} ({}); clients must name the NFS and MOUNT ports",
            config.portmapPort(), e.toString());
      }
    }
    Metrics.global().gauge("strata_nfs_dirty_bytes", "bytes written by NFS clients not yet on the datanodes",
        memory::dirtyBytes);
    Metrics.global().gauge("strata_nfs_cached_bytes", "bytes of file blocks in the NFS gateway's cache",
        memory::cachedBytes);
    Metrics.global().gauge("strata_nfs_connections", "open NFS, MOUNT and portmapper connections",
        () -> servers.stream().mapToInt(RpcServer::connectionCount).sum());
    background = Executors.newSingleThreadScheduledExecutor(Threads.daemon("nfs-writeback"));
    background.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    background.scheduleWithFixedDelay(this::maintain, MAINTAIN_MILLIS, MAINTAIN_MILLIS, TimeUnit.MILLISECONDS);
    return this;
  }

  private RpcServer listen(String name, List<RpcProgram> programs, int port) throws InterruptedException {
    RpcServer s = new RpcServer(name, programs, config.limits()).start(boss, loops, workers, config.host(), port);
    servers.add(s);
    return s;
  }

  private List<PortmapProgram.Mapping> mappings() {
    List<PortmapProgram.Mapping> m = new ArrayList<>();
    m.add(new PortmapProgram.Mapping(PortmapProgram.PROGRAM, PortmapProgram.VERSION, PortmapProgram.IPPROTO_TCP,
        portmapPort() > 0 ? portmapPort() : nfsPort()));
    m.add(new PortmapProgram.Mapping(Nfs3Program.PROGRAM, Nfs3Program.VERSION, PortmapProgram.IPPROTO_TCP, nfsPort()));
    for (int v = 1; v <= 3; v++) {
      m.add(new PortmapProgram.Mapping(MountProgram.PROGRAM, v, PortmapProgram.IPPROTO_TCP, mountPort()));
    }
    return m;
  }

  private void tick() {
    for (FileSystem fs : exports.openFileSystems()) {
      fs.tick();
    }
  }

  private void maintain() {
    try {
      exports.maintain();
      for (FileSystem fs : exports.openFileSystems()) {
        fs.collectGarbage();
      }
    } catch (RuntimeException e) {
      LOG.debug("maintenance pass failed: {}", e.toString());
    }
  }

  public int nfsPort() {
    return nfsServer.port();
  }

  public int mountPort() {
    return mountServer.port();
  }

  /** The portmapper's port, or -1 when it is not running. */
  public int portmapPort() {
    return portmapServer == null ? -1 : portmapServer.port();
  }

  public ShareService shares() {
    return exports.service();
  }

  public Exports exports() {
    return exports;
  }

  public byte[] writeVerifier() {
    return nfs.writeVerifier();
  }

  public BlockMemory memory() {
    return memory;
  }

  /**
   * Fault injection: stops the gateway as if its process died. Nothing is written back; data
   * acknowledged as UNSTABLE and not yet committed is lost, as the protocol allows (clients
   * see a new write verifier from the next gateway and send it again).
   */
  public void kill() {
    removeGauges();
    servers.forEach(RpcServer::close);
    if (background != null) {
      Threads.shutdown(background, 5);
    }
    if (workers != null) {
      workers.shutdownNow();
    }
    exports.abandon();
    if (boss != null) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Stops listening, then writes back every dirty block and attribute before returning. */
  private static void removeGauges() {
    for (String g : new String[] {"strata_nfs_dirty_bytes", "strata_nfs_cached_bytes", "strata_nfs_connections"}) {
      Metrics.global().removeGauge(g);
    }
  }

  @Override
  public void close() {
    removeGauges();
    servers.forEach(RpcServer::close);
    if (background != null) {
      Threads.shutdown(background, 30);
    }
    if (workers != null) {
      workers.shutdown();
      try {
        workers.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    exports.close();
    if (boss != null) {
      boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
      loops.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}

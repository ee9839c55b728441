package io.strata.datanode;

import io.strata.common.Threads;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.strata.client.ClusterMapCache;
import io.strata.client.PeerChannels;
import io.strata.datanode.disk.DiskFaults;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.datanode.replication.ChunkPaths;
import io.strata.datanode.replication.ChunkServiceImpl;
import io.strata.datanode.replication.DataHandler;
import io.strata.datanode.replication.Peering;
import io.strata.datanode.replication.PgTable;
import io.strata.datanode.replication.Scrubber;
import io.strata.metadata.client.MetadataClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One datanode process: its simulated disks, the chunk service, peering, scrubbing and heartbeats. */
public final class DatanodeServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DatanodeServer.class);
  static final int RPC_THREADS = 8;
  static final int READ_THREADS = 8;
  static final int MAX_INBOUND_BYTES = 64 << 20;

  private final DatanodeConfig config;
  private final List<SimulatedDisk> disks = new ArrayList<>();
  private final MetadataClient meta;
  private final ClusterMapCache maps;
  private final PeerChannels channels = new PeerChannels();
  private final ExecutorService rpcExecutor;
  private final ExecutorService readExecutor;
  private final Server server;
  private final ChunkPaths paths;
  private io.strata.transport.DataServer dataServer;
  private final LocalNode node;
  private final Peering peering;
  private final Scrubber scrubber;

  /** Opens the disks (faults survive a restart only if the caller passes the same objects). */
  public DatanodeServer(DatanodeConfig config, List<DiskFaults> faults) throws IOException {
    this.config = config;
    for (int i = 0; i < config.disks(); i++) {
      DiskFaults f = faults != null && i < faults.size() ? faults.get(i) : new DiskFaults(i);
      disks.add(new SimulatedDisk(config.nodeId() + "/d" + i, i, config.dataDir().resolve("disk" + i),
          config.diskCapacityBytes(), f));
    }
    this.meta = new MetadataClient(config.metadataPeers());
    this.maps = new ClusterMapCache(meta);
    PgTable pgs = new PgTable(config.nodeId());
    this.node = new LocalNode(config.nodeId(), disks, maps, channels, pgs);
    this.peering = new Peering(node);
    pgs.peerWith(peering::activate);
    maps.onChange(pgs::onMap);
    this.scrubber = new Scrubber(node);
    this.rpcExecutor = Executors.newFixedThreadPool(RPC_THREADS, Threads.daemon("chunk-rpc-" + config.nodeId()));
    this.readExecutor = Executors.newFixedThreadPool(READ_THREADS, Threads.daemon("chunk-read-" + config.nodeId()));
    this.paths = new ChunkPaths(node, readExecutor);
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
        .addService(new ChunkServiceImpl(node, paths, readExecutor))
        .executor(rpcExecutor)
        .maxInboundMessageSize(MAX_INBOUND_BYTES)
        .build();
  }

  private Heartbeater hb;

  public DatanodeServer start() throws IOException {
    server.start();
    try {
      dataServer = new io.strata.transport.DataServer(config.host(), config.dataPort(), new DataHandler(paths));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding the data port", e);
    }
    String address = config.host() + ":" + server.getPort();
    String dataAddress = config.host() + ":" + dataServer.port();
    hb = new Heartbeater(config, address, dataAddress, disks, meta, maps);
    hb.start();
    if (!config.scrubInterval().isZero()) {
      scrubber.start(config.scrubInterval().toMillis());
    }
    LOG.info("datanode {} serving at {} (data {}) with {} disks", config.nodeId(), address, dataAddress, disks.size());
    return this;
  }

  public String nodeId() {
    return config.nodeId();
  }

  public int port() {
    return server.getPort();
  }

  public DatanodeConfig config() {
    return config;
  }

  public List<SimulatedDisk> disks() {
    return disks;
  }

  public SimulatedDisk disk(int i) {
    return disks.get(i);
  }

  public ClusterMapCache maps() {
    return maps;
  }

  public Scrubber scrubber() {
    return scrubber;
  }

  /** Reports disk states right away, e.g. after a fault was injected. */
  public void reportNow() {
    if (hb != null) {
      hb.beatNow();
    }
  }

  @Override
  public void close() {
    if (hb != null) {
      hb.close();
    }
    if (dataServer != null) {
      dataServer.close();
    }
    server.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    scrubber.close();
    peering.close();
    rpcExecutor.shutdownNow();
    readExecutor.shutdownNow();
    channels.close();
    meta.close();
    disks.forEach(SimulatedDisk::close);
    LOG.info("datanode {} stopped", config.nodeId());
  }
}

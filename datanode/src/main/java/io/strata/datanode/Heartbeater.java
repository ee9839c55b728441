package io.strata.datanode;

import io.strata.common.Threads;
import io.strata.client.ClusterMapCache;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.Heartbeat;
import io.strata.proto.MetaCommand;
import io.strata.proto.MetaResult;
import io.strata.proto.MetaStatus;
import io.strata.proto.RegisterDatanode;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the datanode and then reports to the metadata leader at a fixed interval: liveness,
 * each disk's state (a fail-stopped disk is reported FAILED at once) and used bytes. A reply
 * with a newer map epoch triggers a map refresh.
 */
final class Heartbeater implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeater.class);

  private final DatanodeConfig config;
  private final String address;
  private final String dataAddress;
  private final java.util.List<SimulatedDisk> disks;
  private final MetadataClient meta;
  private final ClusterMapCache maps;
  private final ScheduledExecutorService timer;
  private volatile boolean registered;

  Heartbeater(DatanodeConfig config, String address, String dataAddress, java.util.List<SimulatedDisk> disks,
              MetadataClient meta, ClusterMapCache maps) {
    this.config = config;
    this.address = address;
    this.dataAddress = dataAddress;
    this.disks = disks;
    this.meta = meta;
    this.maps = maps;
    this.timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("heartbeat-" + config.nodeId()));
  }

  void start() {
    long ms = config.heartbeatInterval().toMillis();
    timer.scheduleWithFixedDelay(this::beat, 0, ms, TimeUnit.MILLISECONDS);
  }

  /** Sends one heartbeat now (also used right after a disk fault so the map reacts quickly). */
  void beatNow() {
    timer.execute(this::beat);
  }

  private void beat() {
    try {
      MetaResult r;
      long started = System.nanoTime();
      if (!registered) {
        RegisterDatanode.Builder reg = RegisterDatanode.newBuilder().setNodeId(config.nodeId()).setAddress(address)
            .setDataAddress(dataAddress).setFailureDomain(config.failureDomain());
        disks.forEach(d -> reg.addDisks(d.info()));
        r = meta.submit(MetaCommand.newBuilder().setRegisterDatanode(reg).build()).join();
        registered = r.getStatus() == MetaStatus.META_OK;
        if (registered) {
          LOG.info("datanode {} registered at {}", config.nodeId(), address);
        }
      } else {
        Heartbeat.Builder hb = Heartbeat.newBuilder().setNodeId(config.nodeId());
        disks.forEach(d -> hb.addDisks(d.info()));
        r = meta.submit(MetaCommand.newBuilder().setHeartbeat(hb).build()).join();
        if (r.getStatus() == MetaStatus.META_NOT_FOUND) {
          registered = false;
        }
      }
      if (r.getMapEpoch() > maps.current().getEpoch()) {
        maps.refreshIfOlder(r.getMapEpoch());
      } else if (r.getStatus() == MetaStatus.META_OK && r.getMapEpoch() > 0) {
        maps.confirm(r.getMapEpoch(), started);  // renews the map lease fence checks rely on
      }
    } catch (RuntimeException e) {
      LOG.debug("heartbeat from {} failed: {}", config.nodeId(), e.toString());
    }
  }

  @Override
  public void close() {
    Threads.shutdown(timer, 5);
  }
}

package io.strata.block.nbd;

import io.strata.block.data.BlockDevice;
import io.strata.block.volume.Attachment.AttachMode;
import io.strata.block.volume.Volume;
import io.strata.block.volume.VolumeService;
import io.strata.client.ChunkClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volumes this gateway serves. All connections to one volume share one {@link BlockDevice},
 * so a FLUSH on any connection covers writes completed on all of them (hence CAN_MULTI_CONN).
 * While it serves a volume the gateway holds a SHARED attachment as {@code holder}, so the volume
 * cannot be deleted from under its clients and an exclusive takeover elsewhere is refused.
 * Metadata calls block, so they and the bookkeeping run on one control thread, never on an
 * event loop; that thread also makes the bookkeeping race-free without locks.
 */
final class ExportRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExportRegistry.class);
  static final long CLOSE_TIMEOUT_SECONDS = 60;

  /** One connection's view of a served volume. */
  record Export(String name, long volumeId, BlockDevice device, boolean readOnly) {}

  private static final class Entry {
    final String name;
    final BlockDevice device;
    int connections;

    Entry(String name, BlockDevice device) {
      this.name = name;
      this.device = device;
    }
  }

  private final VolumeService volumes;
  private final ChunkClient chunks;
  private final String holder;
  private final Map<Long, Entry> open = new HashMap<>();
  private final ExecutorService control = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "nbd-control");
    t.setDaemon(true);
    return t;
  });

  ExportRegistry(VolumeService volumes, ChunkClient chunks, String holder) {
    this.volumes = volumes;
    this.chunks = chunks;
    this.holder = holder;
  }

  CompletableFuture<Optional<Volume>> lookup(String name) {
    return CompletableFuture.supplyAsync(() -> volumes.find(name), control);
  }

  CompletableFuture<List<Volume>> list() {
    return CompletableFuture.supplyAsync(volumes::list, control);
  }

  CompletableFuture<Export> open(String name) {
    return CompletableFuture.supplyAsync(() -> {
      Volume v = volumes.get(name);
      Entry e = open.get(v.id());
      if (e == null) {
        volumes.attach(name, holder, AttachMode.SHARED, false);
        e = new Entry(name, new BlockDevice(chunks, volumes.poolId(), v.id(), v.sizeBytes()));
        open.put(v.id(), e);
      }
      e.device.grow(v.sizeBytes());  // a resize becomes visible to the next connection
      e.connections++;
      return new Export(name, v.id(), e.device, false);
    }, control);
  }

  /** Called when a connection ends; the last one flushes and detaches. */
  void release(Export x) {
    try {
      control.execute(() -> {
        Entry e = open.get(x.volumeId());
        if (e == null || --e.connections > 0) {
          return;
        }
        open.remove(x.volumeId());
        quiesce(x.name(), e);
      });
    } catch (RejectedExecutionException closing) {
      // close() quiesces every open volume itself
    }
  }

  private void quiesce(String name, Entry e) {
    try {
      e.device.flush().get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      volumes.detach(name, holder);
    } catch (Exception ex) {
      LOG.warn("volume {}: flush/detach when its last connection closed failed: {}", name, ex.toString());
    }
  }

  @Override
  public void close() {
    control.execute(() -> {
      // Connections may still be closing; flush and detach whatever is still open.
      open.values().forEach(e -> quiesce(e.name, e));
      open.clear();
    });
    control.shutdown();
    try {
      control.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.strata.block.nbd;

import io.strata.block.data.BlockDevice;
import io.strata.block.volume.Attachment;
import io.strata.block.volume.Attachment.AttachMode;
import io.strata.block.volume.Snapshot;
import io.strata.block.volume.Volume;
import io.strata.block.volume.VolumeError;
import io.strata.block.volume.VolumeException;
import io.strata.block.volume.VolumeService;
import io.strata.client.ChunkClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volumes this gateway serves. All read-write connections to one volume share one
 * {@link BlockDevice}, so a FLUSH on any connection covers writes completed on all of them (hence
 * CAN_MULTI_CONN). While serving a volume the gateway holds an attachment (SHARED as
 * {@code holder}, READ_ONLY as {@code holder:ro}): the volume cannot be deleted from under its
 * clients, and an exclusive takeover elsewhere fences this gateway (checked on every FLUSH and
 * every {@link #FENCE_CHECK_MILLIS}). Metadata calls block, so they and all bookkeeping run on
 * one control thread, never on an event loop; that thread also makes the bookkeeping lock-free.
 */
final class ExportRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExportRegistry.class);
  static final long CLOSE_TIMEOUT_SECONDS = 60;
  static final long FENCE_CHECK_MILLIS = 2_000;
  /** Export-name suffix asking for a read-only export, e.g. {@code nbd://host/disk1@ro}. */
  static final String READ_ONLY_SUFFIX = "@ro";

  /** One connection's view of a served volume. */
  record Export(String name, long volumeId, BlockDevice device, boolean readOnly, Attachment attachment) {}

  private record Key(long volumeId, boolean readOnly) {}

  private static final class Entry {
    final String name;
    final BlockDevice device;
    final Attachment attachment;
    int connections;

    Entry(String name, BlockDevice device, Attachment attachment) {
      this.name = name;
      this.device = device;
      this.attachment = attachment;
    }
  }

  private final VolumeService volumes;
  private final ChunkClient chunks;
  private final String holder;
  private final Map<Key, Entry> open = new HashMap<>();
  private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "nbd-control");
    t.setDaemon(true);
    return t;
  });

  ExportRegistry(VolumeService volumes, ChunkClient chunks, String holder) {
    this.volumes = volumes;
    this.chunks = chunks;
    this.holder = holder;
    control.scheduleWithFixedDelay(this::checkFences, FENCE_CHECK_MILLIS, FENCE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
  }

  static String volumeName(String exportName) {
    return exportName.endsWith(READ_ONLY_SUFFIX)
        ? exportName.substring(0, exportName.length() - READ_ONLY_SUFFIX.length()) : exportName;
  }

  CompletableFuture<Optional<Volume>> lookup(String exportName) {
    return CompletableFuture.supplyAsync(() -> volumes.find(volumeName(exportName)), control);
  }

  CompletableFuture<List<Volume>> list() {
    return CompletableFuture.supplyAsync(volumes::list, control);
  }

  CompletableFuture<Export> open(String exportName) {
    return CompletableFuture.supplyAsync(() -> {
      boolean readOnly = exportName.endsWith(READ_ONLY_SUFFIX);
      String name = volumeName(exportName);
      Volume v = volumes.get(name);
      Key key = new Key(v.id(), readOnly);
      Entry e = open.get(key);
      if (e == null) {
        Attachment a = readOnly
            ? volumes.attach(name, holder + ":ro", AttachMode.READ_ONLY, false)
            : volumes.attach(name, holder, AttachMode.SHARED, false);
        e = new Entry(name, new BlockDevice(chunks, volumes.poolId(), v.id(), v.layers(), v.sizeBytes()), a);
        open.put(key, e);
      }
      e.device.grow(v.sizeBytes());  // a resize becomes visible to the next connection
      e.connections++;
      return new Export(name, v.id(), e.device, readOnly, e.attachment);
    }, control);
  }

  /**
   * A snapshot of a volume this gateway may be serving: its writes are paused and flushed, the
   * snapshot is recorded, and writes resume into the volume's new top layer. Re-reading the record
   * afterwards keeps the device right even if the outcome of the transaction was lost.
   */
  CompletableFuture<Snapshot> snapshot(String volume, String name) {
    return CompletableFuture.supplyAsync(() -> {
      Volume v = volumes.get(volume);
      Entry e = open.get(new Key(v.id(), false));
      if (e == null) {
        return volumes.snapshot(volume, name);
      }
      try {
        e.device.pause().get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return volumes.snapshot(volume, name, e.attachment.holder());
      } catch (InterruptedException | ExecutionException | TimeoutException ex) {
        throw new VolumeException(VolumeError.UNAVAILABLE, "volume " + volume + " did not quiesce: " + ex, ex);
      } finally {
        long top = volumes.get(volume).topLayer();
        if (top != e.device.layers().get(0)) {
          e.device.resume(top);
        } else {
          e.device.resume();
        }
      }
    }, control);
  }

  /** Completes normally while this gateway still holds the volume; otherwise fences the device. */
  CompletableFuture<Void> verifyHolder(Export x) {
    return CompletableFuture.runAsync(() -> {
      try {
        volumes.checkFence(x.name(), x.attachment().holder(), x.attachment().epoch());
      } catch (VolumeException e) {
        if (e.error() == VolumeError.FENCED || e.error() == VolumeError.NOT_FOUND) {
          x.device().fence(e.getMessage());
        }
        throw e;
      }
    }, control);
  }

  private void checkFences() {
    for (Entry e : open.values()) {
      if (e.device.fenced()) {
        continue;
      }
      try {
        volumes.checkFence(e.name, e.attachment.holder(), e.attachment.epoch());
      } catch (VolumeException ex) {
        if (ex.error() == VolumeError.FENCED || ex.error() == VolumeError.NOT_FOUND) {
          LOG.warn("volume {}: {}; refusing further writes", e.name, ex.getMessage());
          e.device.fence(ex.getMessage());
        }
      }
    }
  }

  /** Called when a connection ends; the last one flushes and detaches. */
  void release(Export x) {
    try {
      control.execute(() -> {
        Key key = new Key(x.volumeId(), x.readOnly());
        Entry e = open.get(key);
        if (e == null || --e.connections > 0) {
          return;
        }
        open.remove(key);
        quiesce(e);
      });
    } catch (RejectedExecutionException closing) {
      // close() quiesces every open volume itself
    }
  }

  private void quiesce(Entry e) {
    try {
      if (!e.device.fenced()) {
        e.device.flush().get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        volumes.detach(e.name, e.attachment.holder());
      }
    } catch (Exception ex) {
      LOG.warn("volume {}: flush/detach when its last connection closed failed: {}", e.name, ex.toString());
    }
  }

  @Override
  public void close() {
    try {
      control.execute(() -> {
        open.values().forEach(this::quiesce);
        open.clear();
      });
    } catch (RejectedExecutionException alreadyClosed) {
      return;
    }
    control.shutdown();
    try {
      control.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

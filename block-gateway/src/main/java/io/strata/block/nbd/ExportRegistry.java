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
import io.strata.client.Fence;
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
 * The attachments this gateway serves (see {@link ExportName} for which one a connection uses).
 * All connections of one attachment share one {@link BlockDevice}, so a FLUSH on any of them
 * covers writes completed on all (hence CAN_MULTI_CONN). For plain exports the gateway holds its
 * own attachment (SHARED as {@code holder}, READ_ONLY as {@code holder:ro}), so the volume cannot
 * be deleted from under its clients. Every write, delete and flush of a device carries its
 * attachment's fence token ({@code vol/<id>}, epoch): after an exclusive takeover the datanodes
 * refuse them (EPERM to the client); a periodic check ({@link #FENCE_CHECK_MILLIS}) also fences
 * the device early. Metadata calls block, so they and all bookkeeping run on one control thread,
 * never on an event loop; that thread also makes the bookkeeping lock-free.
 */
final class ExportRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExportRegistry.class);
  static final long CLOSE_TIMEOUT_SECONDS = 60;
  static final long FENCE_CHECK_MILLIS = 2_000;

  /** One connection's view of a served volume; {@code entry} is what it releases at the end. */
  record Export(String name, long volumeId, BlockDevice device, boolean readOnly, Attachment attachment, Entry entry) {}

  private record Key(long volumeId, String holder) {}

  /** One attachment served by this gateway: its device (fenced by the attachment's epoch) and users. */
  static final class Entry {
    final Key key;
    final String name;
    final BlockDevice device;
    final Attachment attachment;
    final boolean external;
    final boolean readOnly;
    int connections;

    Entry(Key key, String name, BlockDevice device, Attachment attachment, boolean external, boolean readOnly) {
      this.key = key;
      this.name = name;
      this.device = device;
      this.attachment = attachment;
      this.external = external;
      this.readOnly = readOnly;
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
    return ExportName.parse(exportName).volume();
  }

  CompletableFuture<Optional<Volume>> lookup(String exportName) {
    return CompletableFuture.supplyAsync(() -> volumes.find(volumeName(exportName)), control);
  }

  CompletableFuture<List<Volume>> list() {
    return CompletableFuture.supplyAsync(volumes::list, control);
  }

  /** Whether {@code exportName} opens {@code v} read-only (for NBD_OPT_INFO). */
  static boolean readOnly(String exportName, Volume v) {
    ExportName n = ExportName.parse(exportName);
    return n.readOnlyOwn() || n.external() && v.attachments().stream()
        .anyMatch(a -> a.holder().equals(n.holder()) && a.mode() == AttachMode.READ_ONLY);
  }

  CompletableFuture<Export> open(String exportName) {
    return CompletableFuture.supplyAsync(() -> {
      ExportName n = ExportName.parse(exportName);
      Volume v = volumes.get(n.volume());
      String who = n.external() ? n.holder() : n.readOnlyOwn() ? holder + ":ro" : holder;
      Key key = new Key(v.id(), who);
      Entry e = open.get(key);
      if (e == null || e.device.fenced()) {  // a fenced entry lives on only for its old connections
        e = attachment(n, v, key);
        open.put(key, e);
      }
      e.device.grow(v.sizeBytes());  // a resize becomes visible to the next connection
      e.connections++;
      return new Export(n.volume(), v.id(), e.device, e.readOnly, e.attachment, e);
    }, control);
  }

  /** Our own attachment, made now, or the holder's, which must exist already. */
  private Entry attachment(ExportName n, Volume v, Key key) {
    Attachment a;
    if (n.external()) {
      a = v.attachments().stream().filter(x -> x.holder().equals(n.holder())).findFirst()
          .orElseThrow(() -> new VolumeException(VolumeError.ATTACHED, "volume " + v.name()
              + " is not attached to " + n.holder() + "; attach it first"));
    } else {
      a = volumes.attach(v.name(), key.holder(), n.readOnlyOwn() ? AttachMode.READ_ONLY : AttachMode.SHARED, false);
    }
    boolean readOnly = a.mode() == AttachMode.READ_ONLY;
    BlockDevice d = new BlockDevice(chunks, volumes.poolId(), v.id(), v.layers(), v.sizeBytes(), v.format(),
        readOnly ? Fence.NONE : new Fence(Volume.fenceKey(v.id()), a.epoch()));
    return new Entry(key, v.name(), d, a, n.external(), readOnly);
  }

  /**
   * A snapshot of a volume this gateway may be serving: the writes of every attachment it serves
   * read-write are paused and flushed, the snapshot is recorded, and writes resume into the
   * volume's new top layer. Re-reading the record afterwards keeps the devices right even if the
   * outcome of the transaction was lost.
   */
  CompletableFuture<Snapshot> snapshot(String volume, String name) {
    return CompletableFuture.supplyAsync(() -> {
      Volume v = volumes.get(volume);
      List<Entry> writers = open.values().stream()
          .filter(e -> e.key.volumeId() == v.id() && !e.readOnly && !e.device.fenced()).toList();
      if (writers.isEmpty()) {
        return volumes.snapshot(volume, name);
      }
      List<Entry> paused = new java.util.ArrayList<>();
      try {
        for (Entry e : writers) {
          paused.add(e);
          e.device.pause().get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        java.util.Set<String> holders = new java.util.HashSet<>();
        writers.forEach(e -> holders.add(e.attachment.holder()));
        return volumes.snapshot(volume, name, holders);
      } catch (InterruptedException | ExecutionException | TimeoutException ex) {
        throw new VolumeException(VolumeError.UNAVAILABLE, "volume " + volume + " did not quiesce: " + ex, ex);
      } finally {
        long top = volumes.get(volume).topLayer();
        for (Entry e : paused) {
          if (top != e.device.layers().get(0)) {
            e.device.resume(top);
          } else {
            e.device.resume();
          }
        }
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

  /** Called when a connection ends; the last one of an attachment flushes (and detaches our own). */
  void release(Export x) {
    try {
      control.execute(() -> {
        Entry e = x.entry();
        if (--e.connections > 0) {
          return;
        }
        open.remove(e.key, e);
        quiesce(e);
      });
    } catch (RejectedExecutionException closing) {
      // close() quiesces every open volume itself
    }
  }

  /** The device is dropped: its running requests finish and it flushes before we detach (see BlockDevice#close). */
  private void quiesce(Entry e) {
    try {
      e.device.close().get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!e.device.fenced()) {
        if (!e.external) {
          volumes.detach(e.name, e.attachment.holder());  // the control plane detaches its own holders
        }
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

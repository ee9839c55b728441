package io.strata.block.volume;

import io.strata.block.data.AllocationMap;
import io.strata.block.data.DataLayout;
import io.strata.block.data.LayerFormat;
import io.strata.block.volume.Attachment.AttachMode;
import io.strata.client.StrataClient;
import io.strata.metadata.client.MetaException;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.MetaQueryReply;
import io.strata.proto.MetaResult;
import io.strata.proto.MetaStatus;
import io.strata.proto.RaiseFence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volume API a CLI, the CSI driver and the NBD server call: records live in the metadata
 * namespace {@value #NAMESPACE} under {@code v/<name>}; every change is a conditional transaction
 * on the record's version, retried a bounded number of times. Blocking: call it off event loops.
 */
public final class VolumeService {
  public static final String NAMESPACE = "volumes";
  static final String ID_COUNTER = "volume-id";
  static final int UPDATE_ATTEMPTS = 16;
  static final int LIST_PAGE = 500;
  static final int LIST_MAX = 100_000;
  private static final Logger LOG = LoggerFactory.getLogger(VolumeService.class);

  private final StrataClient client;
  private final MetadataClient meta;
  private final int poolId;
  private final VolumeGarbage garbage;
  private final SnapshotCatalog snapshots;

  public VolumeService(StrataClient client, int poolId) {
    this.client = client;
    this.meta = client.metadata();
    this.poolId = poolId;
    this.garbage = new VolumeGarbage(client, poolId);
    this.snapshots = new SnapshotCatalog(this, meta, garbage);
  }

  public int poolId() {
    return poolId;
  }

  public Volume create(String name, long sizeBytes) {
    Volume.checkName(name);
    long size = Volume.roundUp(sizeBytes);
    long id = guard(() -> meta.allocateIds(ID_COUNTER, 1), name);
    Volume v = new Volume(name, id, size, System.currentTimeMillis(), 0, List.of(), List.of(id), LayerFormat.CURRENT);
    KvTxn t = KvTxn.newBuilder()
        .addConditions(Keys.cond(Keys.volume(name), KvConditionKind.KV_MUST_NOT_EXIST, 0))
        .addWrites(Keys.put(Keys.volume(name), v.encode())).build();
    try {
      meta.txn(t);
    } catch (MetaException e) {
      if (e.status() == MetaStatus.META_CONDITION_FAILED) {
        throw new VolumeException(VolumeError.ALREADY_EXISTS, "volume " + name + " exists");
      }
      throw unavailable(name, e);
    }
    LOG.info("created volume {} id {} of {} bytes", name, id, size);
    return v;
  }

  public Optional<Volume> find(String name) {
    return stored(name).map(Stored::volume);
  }

  public Volume get(String name) {
    return find(name).orElseThrow(() -> new VolumeException(VolumeError.NOT_FOUND, "no volume " + name));
  }

  private Optional<Stored> stored(String name) {
    Volume.checkName(name);
    Optional<KvEntry> e = guard(() -> meta.get(NAMESPACE, Keys.volume(name).toByteArray()), name);
    return e.map(x -> new Stored(Volume.decode(x.getValue().toByteArray()), x.getVersion()));
  }

  record Stored(Volume volume, long version) {}

  Stored require(String name) {
    return stored(name).orElseThrow(() -> new VolumeException(VolumeError.NOT_FOUND, "no volume " + name));
  }

  public List<Volume> list() {
    List<Volume> out = new ArrayList<>();
    byte[] prefix = "v/".getBytes(StandardCharsets.UTF_8);
    byte[] after = new byte[0];
    while (out.size() < LIST_MAX) {
      byte[] from = after;
      MetaQueryReply r = guard(() -> meta.scan(NAMESPACE, prefix, from, LIST_PAGE), "list");
      for (KvEntry e : r.getEntriesList()) {
        out.add(Volume.decode(e.getValue().toByteArray()));
        after = e.getKey().toByteArray();
      }
      if (!r.getTruncated() || r.getEntriesCount() == 0) {
        break;
      }
    }
    return out;
  }

  public VolumeInfo info(String name) {
    Volume v = get(name);
    LayerFormat f = v.format();
    // V2: the block map (durable as of the last FLUSH); V1: the per-block durable map.
    AllocationMap used = f.hasBlockMap() ? AllocationMap.reader(client.chunks(), poolId, DataLayout.mapObject(v.topLayer()), 1)
        : AllocationMap.reader(client.chunks(), poolId, f.extentMapObject(v.topLayer()), 1);
    long blocks = used.allocatedBlocks(v.blocks());
    return new VolumeInfo(v, blocks * DataLayout.BLOCK_SIZE_BYTES);
  }

  /** Grows the volume (rounded up to whole blocks); shrinking is refused. */
  public Volume resize(String name, long newSizeBytes) {
    long size = Volume.roundUp(newSizeBytes);
    return update(name, v -> {
      if (size < v.sizeBytes()) {
        throw new VolumeException(VolumeError.INVALID_ARGUMENT, "volume " + name + " is "
            + v.sizeBytes() + " bytes; shrinking to " + size + " is not supported");
      }
      return v.withSize(size);
    });
  }

  /** Attaches {@code holder}; see {@link Attachments#attach} for who may share a volume. */
  public Attachment attach(String name, String holder, AttachMode mode, boolean takeover) {
    Volume v = update(name, old -> Attachments.attach(old, holder, mode, takeover));
    return Attachments.of(v, holder).orElseThrow();
  }

  public void detach(String name, String holder) {
    update(name, v -> Attachments.detach(v, holder));
  }

  /** Throws {@link VolumeError#FENCED} unless {@code holder} still holds the volume at {@code epoch}. */
  public void checkFence(String name, String holder, long epoch) {
    Attachments.checkFence(get(name), holder, epoch);
  }

  /**
   * Deletes the record and then the data of its layers that no snapshot or clone still uses. The
   * record's removal and the garbage entries are one transaction, so data a crash leaves behind
   * is found again by {@link #collectGarbage}.
   */
  public void delete(String name, boolean force) {
    Stored s = require(name);
    Volume v = s.volume();
    if (v.attached() && !force) {
      throw new VolumeException(VolumeError.ATTACHED, "volume " + name + " is attached to "
          + v.attachments().get(0).holder() + "; detach it or force");
    }
    if (v.attached()) {  // forced: its holders must not write into data being freed; the fence stays
      awaitFence(name, guard(() -> meta.raiseFence(Volume.fenceKey(v.id()), v.epoch() + 1), name));
    }
    List<Long> freed = snapshots.dropReferences(v.layers(), v.blocks(), v.format(), Keys.delete(Keys.volume(name)),
        Keys.cond(Keys.volume(name), KvConditionKind.KV_VERSION_EQUALS, s.version()), Keys.volume(name).toStringUtf8());
    LOG.info("deleted volume {} id {}; freed layers {}", name, v.id(), freed);
    if (!v.attached()) {
      dropFence(v);
    }
  }

  /** A crash-consistent snapshot; refused while the volume is attached read-write (see the overload). */
  public Snapshot snapshot(String volume, String snapshot) {
    return snapshots.snapshot(volume, snapshot, java.util.Set.of());
  }

  /**
   * A snapshot while {@code quiescedHolders} (the attachments the caller, e.g. the gateway serving
   * the volume, writes for) have paused and flushed their writes and will switch to the volume's new top layer afterwards.
   */
  public Snapshot snapshot(String volume, String snapshot, java.util.Set<String> quiescedHolders) {
    return snapshots.snapshot(volume, snapshot, quiescedHolders);
  }

  /** A new volume with the snapshot's content; blocks are shared until written. */
  public Volume cloneOf(String volume, String snapshot, String newVolume) {
    return snapshots.cloneOf(volume, snapshot, newVolume);
  }

  public List<Snapshot> listSnapshots(String volume) {
    return snapshots.list(volume);
  }

  public void deleteSnapshot(String volume, String snapshot) {
    snapshots.delete(volume, snapshot);
  }

  /** Deletes the data of volumes whose deletion was interrupted; returns how many were finished. */
  public int collectGarbage() {
    return garbage.collectAll();
  }

  private Volume update(String name, UnaryOperator<Volume> change) {
    for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      Stored s = require(name);
      Volume next = change.apply(s.volume());
      if (next.equals(s.volume())) {
        return next;
      }
      KvTxn.Builder t = KvTxn.newBuilder()
          .addConditions(Keys.cond(Keys.volume(name), KvConditionKind.KV_VERSION_EQUALS, s.version()))
          .addWrites(Keys.put(Keys.volume(name), next.encode()));
      boolean fences = next.epoch() > s.volume().epoch();
      if (fences) {  // a takeover: older holders' writes are refused by the storage from now on
        t.addFences(RaiseFence.newBuilder().setKey(Volume.fenceKey(next.id())).setEpoch(next.epoch()));
      }
      try {
        MetaResult r = meta.txnResult(t.build());
        if (fences) {
          awaitFence(name, r.getMapEpoch());
        }
        return next;
      } catch (MetaException e) {
        if (e.status() != MetaStatus.META_CONDITION_FAILED) {
          throw unavailable(name, e);
        }
      }
    }
    throw new VolumeException(VolumeError.CONFLICT, "volume " + name + " changed "
        + UPDATE_ATTEMPTS + " times under us");
  }

  /** Volume ids are never reused, so the fence of a deleted, unattached volume is no longer needed. */
  private void dropFence(Volume v) {
    String key = Volume.fenceKey(v.id());
    if (io.strata.client.Fence.current(client.maps().current(), key) == 0) {
      return;
    }
    try {
      meta.call(io.strata.proto.MetaCommand.newBuilder()
          .setRaiseFence(RaiseFence.newBuilder().setKey(key).setDrop(true)).build());
    } catch (MetaException e) {
      LOG.warn("volume {} deleted; dropping its fence {} failed (harmless): {}", v.name(), key, e.getMessage());
    }
  }

  /** Returns once every datanode refuses the fenced holders' writes (before the new holder may write). */
  private void awaitFence(String name, long mapEpoch) {
    try {
      client.fencing().await(mapEpoch);
    } catch (RuntimeException e) {
      throw unavailable("fence of volume " + name, e);
    }
  }

  interface Call<T> {
    T run();
  }

  static <T> T guard(Call<T> c, String what) {
    try {
      return c.run();
    } catch (MetaException e) {
      throw unavailable(what, e);
    }
  }

  static VolumeException unavailable(String what, RuntimeException e) {
    return new VolumeException(VolumeError.UNAVAILABLE, what + ": " + e.getMessage(), e);
  }
}

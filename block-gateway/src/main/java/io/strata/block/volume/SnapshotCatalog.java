package io.strata.block.volume;

import io.strata.block.volume.Attachment.AttachMode;
import io.strata.metadata.client.MetaException;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaQueryReply;
import io.strata.proto.MetaStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Snapshots, clones and the question "which layers does nobody use any more". A snapshot freezes
 * the volume's top layer and gives the volume a fresh one; a clone is a new volume whose chain is
 * a fresh layer over a snapshot's layers. Layers are shared, never copied, and are handed to
 * {@link VolumeGarbage} only when no volume or snapshot names them (checked under
 * {@link Keys#LAYERS_EPOCH}).
 */
final class SnapshotCatalog {
  static final int SCAN_PAGE = 500;
  static final int SCAN_MAX = 100_000;

  private final VolumeService volumes;
  private final MetadataClient meta;
  private final VolumeGarbage garbage;

  SnapshotCatalog(VolumeService volumes, MetadataClient meta, VolumeGarbage garbage) {
    this.volumes = volumes;
    this.meta = meta;
    this.garbage = garbage;
  }

  Snapshot snapshot(String volume, String name, java.util.Set<String> quiescedHolders) {
    Volume.checkName(name);
    VolumeService.Stored s = volumes.require(volume);
    Volume v = s.volume();
    for (Attachment a : v.attachments()) {
      if (a.mode() != AttachMode.READ_ONLY && !quiescedHolders.contains(a.holder())) {
        throw new VolumeException(VolumeError.ATTACHED, "volume " + volume + " is attached read-write to "
            + a.holder() + "; detach it or snapshot through the gateway serving it");
      }
    }
    long top = VolumeService.guard(() -> meta.allocateIds(VolumeService.ID_COUNTER, 1), volume);
    Snapshot snap = new Snapshot(name, volume, v.id(), v.sizeBytes(), System.currentTimeMillis(), v.layers(), v.format());
    List<Long> chain = new ArrayList<>(List.of(top));
    chain.addAll(v.layers());
    KvTxn t = KvTxn.newBuilder()
        .addConditions(Keys.cond(Keys.volume(volume), KvConditionKind.KV_VERSION_EQUALS, s.version()))
        .addConditions(Keys.cond(Keys.snapshot(volume, name), KvConditionKind.KV_MUST_NOT_EXIST, 0))
        .addWrites(Keys.put(Keys.volume(volume), v.withLayers(chain).encode()))
        .addWrites(Keys.put(Keys.snapshot(volume, name), snap.encode()))
        .addWrites(Keys.touchLayersEpoch()).build();
    commit(t, volume + "@" + name, () -> find(volume, name).isPresent());
    return snap;
  }

  Volume cloneOf(String volume, String snapshot, String newName) {
    Volume.checkName(newName);
    Snapshot snap = find(volume, snapshot).orElseThrow(() ->
        new VolumeException(VolumeError.NOT_FOUND, "no snapshot " + snapshot + " of " + volume));
    long id = VolumeService.guard(() -> meta.allocateIds(VolumeService.ID_COUNTER, 1), newName);
    List<Long> chain = new ArrayList<>(List.of(id));
    chain.addAll(snap.layers());
    Volume v = new Volume(newName, id, snap.sizeBytes(), System.currentTimeMillis(), 0, List.of(), chain, snap.format());  // one format per chain
    KvTxn t = KvTxn.newBuilder()
        .addConditions(Keys.cond(Keys.volume(newName), KvConditionKind.KV_MUST_NOT_EXIST, 0))
        .addConditions(Keys.cond(Keys.snapshot(volume, snapshot), KvConditionKind.KV_MUST_EXIST, 0))
        .addWrites(Keys.put(Keys.volume(newName), v.encode()))
        .addWrites(Keys.touchLayersEpoch()).build();
    commit(t, newName, () -> volumes.find(newName).isPresent());
    return v;
  }

  Optional<Snapshot> find(String volume, String name) {
    Optional<KvEntry> e = VolumeService.guard(() -> meta.get(VolumeService.NAMESPACE,
        Keys.snapshot(volume, name).toByteArray()), volume + "@" + name);
    return e.map(x -> Snapshot.decode(x.getValue().toByteArray()));
  }

  /** Snapshots of one volume, or of all volumes when {@code volume} is null. */
  List<Snapshot> list(String volume) {
    List<Snapshot> out = new ArrayList<>();
    scan(volume == null ? "s/" : "s/" + volume + "/", e -> out.add(Snapshot.decode(e.getValue().toByteArray())));
    return out;
  }

  void delete(String volume, String name) {
    Snapshot snap = find(volume, name).orElseThrow(() ->
        new VolumeException(VolumeError.NOT_FOUND, "no snapshot " + name + " of " + volume));
    dropReferences(snap.layers(), snap.sizeBytes() / Volume.BLOCK_SIZE_BYTES, snap.format(),
        Keys.delete(Keys.snapshot(volume, name)), null, Keys.snapshot(volume, name).toStringUtf8());
  }

  /**
   * Removes one record (a volume or snapshot) and queues for deletion those of its layers that no
   * other record names, in one transaction conditional on the layers epoch read before scanning.
   */
  List<Long> dropReferences(List<Long> layers, long blocks, io.strata.block.data.LayerFormat format, KvWrite removal,
                            KvCondition recordCondition, String removedKey) {
    for (int attempt = 0; attempt < VolumeService.UPDATE_ATTEMPTS; attempt++) {
      long epoch = VolumeService.guard(() -> meta.get(VolumeService.NAMESPACE, Keys.LAYERS_EPOCH.toByteArray()),
          "layers").map(KvEntry::getVersion).orElse(0L);
      Set<Long> unused = new LinkedHashSet<>(layers);
      unused.removeAll(referencedExcept(removedKey));
      KvTxn.Builder t = KvTxn.newBuilder().addConditions(Keys.unchanged(Keys.LAYERS_EPOCH, epoch));
      if (recordCondition != null) {
        t.addConditions(recordCondition);
      }
      t.addWrites(removal).addWrites(Keys.touchLayersEpoch());
      unused.forEach(l -> t.addWrites(garbage.entry(l, blocks, format)));
      try {
        meta.txn(t.build());
      } catch (MetaException e) {
        if (e.status() == MetaStatus.META_CONDITION_FAILED) {
          continue;  // someone snapshotted or cloned meanwhile: recount (a changed record keeps failing)
        }
        throw VolumeService.unavailable(removedKey, e);
      }
      unused.forEach(l -> garbage.collect(l, blocks, format));
      return new ArrayList<>(unused);
    }
    throw new VolumeException(VolumeError.CONFLICT, removedKey + " or the layers it uses kept changing; retry");
  }

  private Set<Long> referencedExcept(String removedKey) {
    Set<Long> used = new HashSet<>();
    scan("v/", e -> {
      if (!e.getKey().toStringUtf8().equals(removedKey)) {
        used.addAll(Volume.decode(e.getValue().toByteArray()).layers());
      }
    });
    scan("s/", e -> {
      if (!e.getKey().toStringUtf8().equals(removedKey)) {
        used.addAll(Snapshot.decode(e.getValue().toByteArray()).layers());
      }
    });
    return used;
  }

  private void scan(String prefix, java.util.function.Consumer<KvEntry> each) {
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    byte[] after = new byte[0];
    for (int seen = 0; seen < SCAN_MAX; ) {
      byte[] from = after;
      MetaQueryReply r = VolumeService.guard(() -> meta.scan(VolumeService.NAMESPACE, p, from, SCAN_PAGE), "scan " + prefix);
      for (KvEntry e : r.getEntriesList()) {
        each.accept(e);
        after = e.getKey().toByteArray();
        seen++;
      }
      if (!r.getTruncated() || r.getEntriesCount() == 0) {
        return;
      }
    }
  }

  private void commit(KvTxn t, String what, java.util.function.BooleanSupplier exists) {
    try {
      meta.txn(t);
    } catch (MetaException e) {
      if (e.status() != MetaStatus.META_CONDITION_FAILED) {
        throw VolumeService.unavailable(what, e);
      }
      if (exists.getAsBoolean()) {
        throw new VolumeException(VolumeError.ALREADY_EXISTS, what + " exists");
      }
      throw new VolumeException(VolumeError.CONFLICT, what + ": the volume or snapshot changed; retry");
    }
  }
}

package io.strata.s3.store;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetaException;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Multipart uploads' part records and their lifecycle. {@link S3Keys#UPLOAD_IDS} holds, per
 * upload id, either the live upload's key or, once completed, a marker listing the data ids the
 * object took: part records are deleted in batches after the upload ends (a transaction cannot
 * hold 10,000), so whoever finds leftovers can tell the object's data (keep) from a part that
 * was committed too late to be used, or whose upload was aborted (collect).
 */
public final class UploadStore {
  public static final int MAX_PART_NUMBER = 10_000;
  static final int DELETE_BATCH = 500;
  static final String COMPLETED = "completed\n";

  private final MetadataClient meta;
  private final GarbageCollector gc;

  public UploadStore(MetadataClient meta, GarbageCollector gc) {
    this.meta = meta;
    this.gc = gc;
  }

  public List<KvEntry> allParts(String uploadId) {
    List<KvEntry> out = new ArrayList<>();
    byte[] after = new byte[0];
    while (out.size() <= MAX_PART_NUMBER) {
      List<KvEntry> page = meta.scan(S3Keys.PARTS, S3Keys.partPrefix(uploadId), after, 1000).getEntriesList();
      out.addAll(page);
      if (page.size() < 1000) {
        break;
      }
      after = page.get(page.size() - 1).getKey().toByteArray();
    }
    return out;
  }

  /** Part records of a finished upload, in batches; best effort (the collector finishes the job). @return whether all went */
  public boolean deletePartRecords(List<KvEntry> parts) {
    for (int i = 0; i < parts.size(); i += DELETE_BATCH) {
      KvTxn.Builder t = KvTxn.newBuilder();
      for (KvEntry e : parts.subList(i, Math.min(parts.size(), i + DELETE_BATCH))) {
        t.addWrites(KvWrite.newBuilder().setNamespace(S3Keys.PARTS).setKey(e.getKey()).setDelete(true));
      }
      try {
        meta.txn(t.build());
      } catch (RuntimeException e) {
        return false;
      }
    }
    return true;
  }

  /** Drops a completed upload's marker once none of its part records is left. */
  public void forgetCompleted(String uploadId) {
    if (meta.scan(S3Keys.PARTS, S3Keys.partPrefix(uploadId), new byte[0], 1).getEntriesCount() == 0) {
      meta.txn(KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace(S3Keys.UPLOAD_IDS)
          .setKey(ByteString.copyFromUtf8(uploadId)).setDelete(true)).build());
    }
  }

  /** The write that registers a new upload id. */
  public static KvWrite register(String uploadId, byte[] uploadKey) {
    return KvWrite.newBuilder().setNamespace(S3Keys.UPLOAD_IDS).setKey(ByteString.copyFromUtf8(uploadId))
        .setValue(ByteString.copyFrom(uploadKey)).build();
  }

  /** The write, part of the completing transaction, that marks the upload completed with these data ids. */
  public static KvWrite completed(String uploadId, List<String> usedDataIds) {
    return KvWrite.newBuilder().setNamespace(S3Keys.UPLOAD_IDS).setKey(ByteString.copyFromUtf8(uploadId))
        .setValue(ByteString.copyFromUtf8(COMPLETED + String.join("\n", usedDataIds))).build();
  }

  /**
   * Aborts an upload whose record has {@code uploadVersion}: the upload goes, its parts' data
   * becomes garbage. @return false if the upload was gone or had changed
   */
  public boolean abort(byte[] uploadKey, String uploadId, long uploadVersion) {
    List<KvEntry> parts = allParts(uploadId);
    List<Segment> garbage = new ArrayList<>();
    parts.forEach(e -> garbage.add(PartRecord.decode(e.getValue().toByteArray()).segment()));
    KvTxn.Builder t = KvTxn.newBuilder()
        .addConditions(KvCondition.newBuilder().setNamespace(S3Keys.UPLOADS).setKey(ByteString.copyFrom(uploadKey))
            .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(uploadVersion))
        .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.UPLOADS).setKey(ByteString.copyFrom(uploadKey)).setDelete(true))
        .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.UPLOAD_IDS).setKey(ByteString.copyFromUtf8(uploadId)).setDelete(true));
    byte[] gcKey = garbage.isEmpty() ? null : ObjectStore.addGarbage(t, garbage);
    try {
      meta.txn(t.build());
    } catch (MetaException e) {
      if (e.status() == MetaStatus.META_CONDITION_FAILED) {
        return false;
      }
      throw e;
    }
    if (gcKey != null) {
      gc.collectSoon(gcKey, new RecordCodec.Garbage(ChunkedDataWriter.CHUNK_BYTES, garbage));
    }
    deletePartRecords(parts);
    return true;
  }

  /** Aborts every upload initiated before {@code cutoffMillis} (abandoned uploads). @return how many */
  public int expireUploads(long cutoffMillis) {
    int n = 0;
    byte[] after = new byte[0];
    while (true) {
      var page = meta.scan(S3Keys.UPLOADS, new byte[0], after, 500);
      for (KvEntry e : page.getEntriesList()) {
        after = e.getKey().toByteArray();
        UploadRecord u = UploadRecord.decode(e.getValue().toByteArray());
        String full = e.getKey().toStringUtf8();
        if (u.initiatedMillis() < cutoffMillis && abort(after, full.substring(full.lastIndexOf('\0') + 1), e.getVersion())) {
          n++;
        }
      }
      if (!page.getTruncated()) {
        return n;
      }
    }
  }

  /**
   * Part records whose upload is over: the object's own data is kept, everything else collected.
   * Records older than {@code graceCutoffMillis} only, so a part being committed is never raced.
   * @return how many part records were removed
   */
  public int collectLeftoverParts(long graceCutoffMillis) {
    int removed = 0;
    byte[] after = new byte[0];
    UploadState current = null;
    while (true) {
      var page = meta.scan(S3Keys.PARTS, new byte[0], after, 500);
      for (KvEntry e : page.getEntriesList()) {
        after = e.getKey().toByteArray();
        String k = e.getKey().toStringUtf8();
        String uploadId = k.substring(0, k.indexOf('/'));
        if (current == null || !current.uploadId().equals(uploadId)) {
          finish(current);
          current = state(uploadId);
        }
        if (collect(e, current, graceCutoffMillis)) {
          removed++;
        }
      }
      if (!page.getTruncated()) {
        finish(current);
        return removed;
      }
    }
  }

  /** @param used data ids a completed upload's object took; null while the upload is live */
  private record UploadState(String uploadId, boolean completed, Set<String> used) {}

  private UploadState state(String uploadId) {
    Optional<String> v = meta.get(S3Keys.UPLOAD_IDS, uploadId.getBytes(StandardCharsets.UTF_8))
        .map(x -> x.getValue().toStringUtf8());
    if (v.isEmpty()) {
      return new UploadState(uploadId, false, Set.of());  // aborted (or expired): nothing is used
    }
    if (!v.get().startsWith(COMPLETED)) {
      return new UploadState(uploadId, false, null);
    }
    return new UploadState(uploadId, true, new HashSet<>(List.of(v.get().substring(COMPLETED.length()).split("\n"))));
  }

  private boolean collect(KvEntry e, UploadState s, long graceCutoffMillis) {
    byte[] raw = e.getValue().toByteArray();
    if (s.used() == null || raw.length == 0 || raw[0] != RecordCodec.FORMAT_2) {
      return false;  // a live upload, or a part from before upload ids were kept: never collected here
    }
    PartRecord p = PartRecord.decode(raw);
    if (p.lastModifiedMillis() >= graceCutoffMillis) {
      return false;
    }
    KvTxn.Builder t = KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace(S3Keys.PARTS).setKey(e.getKey()).setDelete(true));
    byte[] gcKey = s.used().contains(p.dataId()) ? null : ObjectStore.addGarbage(t, List.of(p.segment()));
    meta.txn(t.build());
    if (gcKey != null) {
      gc.collectSoon(gcKey, new RecordCodec.Garbage(ChunkedDataWriter.CHUNK_BYTES, List.of(p.segment())));
    }
    return true;
  }

  private void finish(UploadState s) {
    if (s != null && s.completed()) {
      forgetCompleted(s.uploadId());
    }
  }
}

package io.strata.s3.store;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetaException;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaCommand;
import io.strata.proto.MetaStatus;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Bucket and object metadata on the replicated key space. Every change of what an object points
 * to is one conditional transaction on the object's current version that also records the old
 * data for garbage collection, so concurrent writers cannot leak or double-free chunks.
 * Blocking: call from the gateway's worker pool, never from an event loop.
 */
public final class ObjectStore {
  static final int MAX_CAS_ATTEMPTS = 16;

  private final MetadataClient meta;
  private final GarbageCollector gc;

  public ObjectStore(MetadataClient meta, GarbageCollector gc) {
    this.meta = meta;
    this.gc = gc;
  }

  public MetadataClient meta() {
    return meta;
  }

  public Optional<Versioned<BucketRecord>> bucket(String bucket) {
    return meta.get(S3Keys.BUCKETS, S3Keys.bucket(bucket))
        .map(e -> new Versioned<>(BucketRecord.decode(e.getValue().toByteArray()), e.getVersion()));
  }

  /** The bucket if it exists and {@code user} owns it; NoSuchBucket / AccessDenied otherwise. */
  public BucketRecord requireBucket(String bucket, String user) {
    BucketRecord b = bucket(bucket).filter(v -> !v.value().deleting())
        .orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_BUCKET)).value();
    if (!b.owner().equals(user)) {
      throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
    }
    return b;
  }

  public Optional<Versioned<ObjectRecord>> object(String bucket, String key) {
    return meta.get(S3Keys.OBJECTS, S3Keys.object(bucket, key))
        .map(e -> new Versioned<>(ObjectRecord.decode(e.getValue().toByteArray()), e.getVersion()));
  }

  /** A fresh id for the chunks of one object or part. */
  public static String newDataId() {
    return "d" + UUID.randomUUID();
  }

  /** Records that {@code dataId} is being written (up to {@code maxLength} bytes); async. */
  public CompletableFuture<?> writeIntent(String dataId, long maxLength) {
    byte[] value = ByteBuffer.allocate(16).putLong(System.currentTimeMillis()).putLong(maxLength).array();
    KvTxn t = KvTxn.newBuilder().addWrites(KvWrite.newBuilder().setNamespace(S3Keys.INTENTS)
        .setKey(ByteString.copyFromUtf8(dataId)).setValue(ByteString.copyFrom(value))).build();
    return meta.submit(MetaCommand.newBuilder().setKvTxn(t).build()).thenApply(r -> {
      if (r.getStatus() != MetaStatus.META_OK) {
        throw new MetaException(r.getStatus(), r.getMessage());
      }
      return r;
    });
  }

  /** Gives up on data that will never be committed: it becomes garbage at once. */
  public void discard(String dataId, long maxLength) {
    List<Segment> segs = List.of(new Segment(dataId, maxLength));
    KvTxn.Builder t = KvTxn.newBuilder().addWrites(intentDelete(dataId));
    byte[] gcKey = addGarbage(t, segs);
    meta.txn(t.build());
    gc.collectSoon(gcKey, new RecordCodec.Garbage(ChunkedDataWriter.CHUNK_BYTES, segs));
  }

  /**
   * What a change needs besides the object itself: extra conditions and writes, intents the new
   * object consumes, other data that becomes garbage, and the error when an extra condition fails.
   */
  public record Change(List<KvCondition> conditions, List<KvWrite> writes, List<String> consumedIntents,
                       List<Segment> extraGarbage, Supplier<S3Exception> onConditionFailed) {
    public static Change none() {
      return new Change(List.of(), List.of(), List.of(), List.of(), () -> new S3Exception(S3ErrorCode.INTERNAL_ERROR));
    }

    public static Change consuming(String dataId) {
      return new Change(List.of(), List.of(), List.of(dataId), List.of(), () -> new S3Exception(S3ErrorCode.INTERNAL_ERROR));
    }
  }

  /**
   * Points {@code bucket/key} at {@code record} (or deletes it when null), atomically with
   * {@code change}; the previous object's data goes to GC in the same transaction.
   *
   * @return the replaced object, if any
   */
  public Optional<ObjectRecord> replaceObject(String bucket, String key, ObjectRecord record, Change change) {
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      Optional<Versioned<ObjectRecord>> current = object(bucket, key);
      if (record == null && current.isEmpty() && change.writes().isEmpty()) {
        return Optional.empty();  // deleting what is not there is a no-op in S3
      }
      // Conditioning on the bucket's version (not mere existence) fences DeleteBucket's check.
      Versioned<BucketRecord> b = bucket(bucket).filter(v -> !v.value().deleting())
          .orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_BUCKET));
      KvTxn.Builder t = KvTxn.newBuilder().addAllConditions(change.conditions()).addAllWrites(change.writes());
      t.addConditions(KvCondition.newBuilder().setNamespace(S3Keys.BUCKETS).setKey(ByteString.copyFrom(S3Keys.bucket(bucket)))
          .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(b.version()));
      KvCondition.Builder c = KvCondition.newBuilder().setNamespace(S3Keys.OBJECTS).setKey(ByteString.copyFrom(S3Keys.object(bucket, key)));
      t.addConditions(current.isPresent() ? c.setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(current.get().version())
          : c.setKind(KvConditionKind.KV_MUST_NOT_EXIST));
      KvWrite.Builder w = KvWrite.newBuilder().setNamespace(S3Keys.OBJECTS).setKey(ByteString.copyFrom(S3Keys.object(bucket, key)));
      t.addWrites(record == null ? w.setDelete(true) : w.setValue(ByteString.copyFrom(record.encode())));
      change.consumedIntents().forEach(id -> t.addWrites(intentDelete(id)));
      List<Segment> garbage = new ArrayList<>(change.extraGarbage());
      current.ifPresent(v -> garbage.addAll(v.value().segments()));
      byte[] gcKey = garbage.isEmpty() ? null : addGarbage(t, garbage);
      try {
        meta.txn(t.build());
      } catch (MetaException e) {
        if (e.status() != MetaStatus.META_CONDITION_FAILED) {
          throw e;
        }
        explainConflict(bucket, key, b.version(), current, change);
        continue;
      }
      if (gcKey != null) {
        int chunkBytes = current.map(v -> v.value().chunkBytes()).orElse(ChunkedDataWriter.CHUNK_BYTES);
        gc.collectSoon(gcKey, new RecordCodec.Garbage(chunkBytes, garbage));
      }
      return current.map(Versioned::value);
    }
    throw new S3Exception(S3ErrorCode.SLOW_DOWN, "too many concurrent writers on " + bucket + "/" + key);
  }

  /** After a failed CAS: a vanished bucket or extra condition is final; a changed object or bucket is retried. */
  private void explainConflict(String bucket, String key, long bucketVersion, Optional<Versioned<ObjectRecord>> seen,
                               Change change) {
    Optional<Versioned<BucketRecord>> b = bucket(bucket);
    if (b.filter(v -> !v.value().deleting()).isEmpty()) {
      throw new S3Exception(S3ErrorCode.NO_SUCH_BUCKET);
    }
    Optional<Long> now = object(bucket, key).map(Versioned::version);
    if (now.equals(seen.map(Versioned::version)) && b.get().version() == bucketVersion) {
      throw change.onConditionFailed().get();
    }
  }

  /** Adds a GC record for {@code segments} to the transaction; returns its key. */
  public static byte[] addGarbage(KvTxn.Builder t, List<Segment> segments) {
    byte[] gcKey = S3Keys.utf8("gc-" + UUID.randomUUID());
    t.addWrites(KvWrite.newBuilder().setNamespace(S3Keys.GC).setKey(ByteString.copyFrom(gcKey))
        .setValue(ByteString.copyFrom(RecordCodec.encodeSegments(segments, ChunkedDataWriter.CHUNK_BYTES))));
    return gcKey;
  }

  public GarbageCollector gc() {
    return gc;
  }

  static KvWrite intentDelete(String dataId) {
    return KvWrite.newBuilder().setNamespace(S3Keys.INTENTS).setKey(ByteString.copyFromUtf8(dataId)).setDelete(true).build();
  }

  /** One page of the objects namespace (for listings). */
  public List<KvEntry> scanObjects(byte[] prefix, byte[] startAfter, int limit) {
    return scan(S3Keys.OBJECTS, prefix, startAfter, limit);
  }

  /** Pages through a namespace prefix; {@code limit} per page. */
  public List<KvEntry> scan(String namespace, byte[] prefix, byte[] startAfter, int limit) {
    return meta.scan(namespace, prefix, startAfter, limit).getEntriesList();
  }
}

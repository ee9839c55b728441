package io.strata.s3.store;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetaException;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvCondition;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaCommand;
import io.strata.proto.MetaStatus;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Bucket and object metadata on the replicated key space: reads, intents and garbage records.
 * Writes of object versions are in {@link ObjectVersions}. Blocking: call from the gateway's
 * worker pool, never from an event loop.
 */
public final class ObjectStore {
  private final MetadataClient meta;
  private final GarbageCollector gc;
  private final ObjectVersions versions;
  private final java.util.concurrent.ConcurrentHashMap<String, CachedBucket> bucketCache = new java.util.concurrent.ConcurrentHashMap<>();

  public static final long BUCKET_CACHE_MILLIS = 1000;
  static final int MAX_CACHED_BUCKETS = 10_000;

  private record CachedBucket(Versioned<BucketRecord> bucket, long loadedNanos) {}

  public ObjectStore(MetadataClient meta, GarbageCollector gc) {
    this.meta = meta;
    this.gc = gc;
    this.versions = new ObjectVersions(this);
  }

  public MetadataClient meta() {
    return meta;
  }

  public ObjectVersions versions() {
    return versions;
  }

  public Optional<Versioned<BucketRecord>> bucket(String bucket) {
    return meta.get(S3Keys.BUCKETS, S3Keys.bucket(bucket))
        .map(e -> new Versioned<>(BucketRecord.decode(e.getValue().toByteArray()), e.getVersion()));
  }

  /** The bucket unless it does not exist or is being deleted (NoSuchBucket); read fresh, and cached. */
  public Versioned<BucketRecord> liveBucket(String bucket) {
    return freshBucket(bucket, bucket(bucket));
  }

  /** {@link #liveBucket} for a bucket record just learned otherwise (a refused commit carried it). */
  public Versioned<BucketRecord> freshBucket(String bucket, Optional<Versioned<BucketRecord>> b) {
    if (b.isPresent()) {
      bucketCache.put(bucket, new CachedBucket(b.get(), System.nanoTime()));
    } else {
      bucketCache.remove(bucket);
    }
    return b.filter(v -> !v.value().deleting()).orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_BUCKET));
  }

  /**
   * The bucket as {@link #liveBucket}, from a cache up to {@link #BUCKET_CACHE_MILLIS} old. Safe
   * for commits, which condition on the bucket's version (a stale one fails and is re-read
   * fresh); for authorisation it means another gateway's policy change takes effect within that
   * time (this gateway's own changes invalidate at once).
   */
  public Versioned<BucketRecord> cachedBucket(String bucket) {
    CachedBucket c = bucketCache.get(bucket);
    if (c != null && System.nanoTime() - c.loadedNanos() < BUCKET_CACHE_MILLIS * 1_000_000L) {
      if (c.bucket().value().deleting()) {
        throw new S3Exception(S3ErrorCode.NO_SUCH_BUCKET);
      }
      return c.bucket();
    }
    if (bucketCache.size() >= MAX_CACHED_BUCKETS) {
      bucketCache.clear();
    }
    return liveBucket(bucket);
  }

  /** Forgets a cached bucket after this gateway changed it. */
  public void invalidateBucket(String bucket) {
    bucketCache.remove(bucket);
  }

  /** The key's head record: its newest version, which may be a delete marker. */
  public Optional<Versioned<ObjectRecord>> head(String bucket, String key) {
    return meta.get(S3Keys.OBJECTS, S3Keys.object(bucket, key))
        .map(e -> new Versioned<>(ObjectRecord.decode(e.getValue().toByteArray()), e.getVersion()));
  }

  /**
   * {@link #head} without blocking: completes on the metadata client's thread, so what follows
   * must not block either.
   */
  public CompletableFuture<Optional<Versioned<ObjectRecord>>> headAsync(String bucket, String key) {
    return meta.query(io.strata.proto.MetaQuery.newBuilder().setKvGet(io.strata.proto.KvGet.newBuilder()
        .setNamespace(S3Keys.OBJECTS).setKey(ByteString.copyFrom(S3Keys.object(bucket, key)))).build()).thenApply(r -> {
          if (r.getStatus() != MetaStatus.META_OK && r.getStatus() != MetaStatus.META_NOT_FOUND) {
            throw new MetaException(r.getStatus(), r.getMessage());
          }
          return r.getEntriesCount() == 0 ? Optional.<Versioned<ObjectRecord>>empty()
              : Optional.of(new Versioned<>(ObjectRecord.decode(r.getEntries(0).getValue().toByteArray()),
                  r.getEntries(0).getVersion()));
        });
  }

  /** The current object (NoSuchKey when absent or when its newest version is a delete marker). */
  public Optional<Versioned<ObjectRecord>> object(String bucket, String key) {
    return head(bucket, key).filter(v -> !v.value().deleteMarker());
  }

  Optional<Versioned<ObjectRecord>> versionEntry(String bucket, String key, long seq) {
    return meta.get(S3Keys.VERSIONS, S3Keys.version(bucket, key, seq))
        .map(e -> new Versioned<>(ObjectRecord.decode(e.getValue().toByteArray()), e.getVersion()));
  }

  /**
   * One version by id ("null" included), or empty; InvalidArgument for an id we never issue.
   * The head record is returned for the newest version, so reads see its head-only fields.
   */
  public Optional<ObjectRecord> version(String bucket, String key, String versionId) {
    Optional<Versioned<ObjectRecord>> head = head(bucket, key);
    if (head.isEmpty()) {
      return Optional.empty();
    }
    ObjectRecord.Version hv = head.get().value().version();
    if (hv.versionId().equals(versionId)) {
      return Optional.of(head.get().value());
    }
    long seq = ObjectRecord.NULL_VERSION.equals(versionId) ? hv.nullVersionSeq() : VersionIds.seqOf(versionId);
    if (seq == 0) {
      return Optional.empty();
    }
    return versionEntry(bucket, key, seq).map(Versioned::value).filter(v -> v.versionId().equals(versionId));
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
                       List<Segment> extraGarbage, Supplier<S3Exception> onConditionFailed,
                       Consumer<Optional<ObjectRecord>> headCheck) {
    /** No precondition on the head: a write may then guess the key is new (see ObjectVersions.put). */
    public static final Consumer<Optional<ObjectRecord>> NO_CHECK = h -> { };

    public static Change none() {
      return new Change(List.of(), List.of(), List.of(), List.of(), () -> new S3Exception(S3ErrorCode.INTERNAL_ERROR),
          NO_CHECK);
    }

    public static Change consuming(String dataId) {
      return none().consumingIntent(dataId);
    }

    public Change consumingIntent(String dataId) {
      return new Change(conditions, writes, List.of(dataId), extraGarbage, onConditionFailed, headCheck);
    }

    /** A check of the current head (If-Match / If-None-Match on writes), re-run on every attempt. */
    public Change withHeadCheck(Consumer<Optional<ObjectRecord>> check) {
      return new Change(conditions, writes, consumedIntents, extraGarbage, onConditionFailed, check);
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

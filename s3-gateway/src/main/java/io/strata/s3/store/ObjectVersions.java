package io.strata.s3.store;

import com.google.protobuf.ByteString;
import io.strata.common.Metrics;
import io.strata.metadata.client.MetaException;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConflict;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaStatus;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.store.BucketRecord.Versioning;
import io.strata.s3.store.ObjectRecord.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * Every change of an object's versions. Each version is a record in {@link S3Keys#VERSIONS};
 * the key's head record in {@link S3Keys#OBJECTS} is a copy of the newest version (possibly a
 * delete marker) plus the seq of the "null" version, and exists exactly when some version does.
 * Every change is one transaction conditioned on the head's version and the bucket's version, so
 * concurrent writers of one key serialise on its head, and the data a change stops referencing
 * is handed to the garbage collector in that same transaction. An unversioned bucket is the
 * special case in which the only version is the null one.
 */
public final class ObjectVersions {
  static final int MAX_CAS_ATTEMPTS = 16;

  private final ObjectStore store;
  private final HeadGuesses guesses = new HeadGuesses();
  private static final String HEAD_GUESS_HELP = "PUTs built on the head this gateway remembered: committed at"
      + " the first attempt (hit) or refused because another writer had moved it (stale)";
  static final LongAdder GUESS_HITS = Metrics.global().counter("strata_s3_head_guesses_total{result=\"hit\"}",
      HEAD_GUESS_HELP);
  static final LongAdder GUESS_STALE = Metrics.global().counter("strata_s3_head_guesses_total{result=\"stale\"}",
      HEAD_GUESS_HELP);

  ObjectVersions(ObjectStore store) {
    this.store = store;
  }

  /** What a delete did: the version id it removed or created, and whether that is a delete marker. */
  public record DeleteResult(String versionId, boolean deleteMarker) {}

  /**
   * Adds {@code rec} as the key's newest version (a delete marker when {@code rec.deleteMarker()}),
   * replacing the null version unless versioning is enabled.
   *
   * @return the stored record, with its version
   */
  public ObjectRecord put(String bucket, String key, ObjectRecord rec, ObjectStore.Change change) {
    Versioned<BucketRecord> b = store.cachedBucket(bucket);
    // First guess for an unconditional write: the head this gateway committed last, else that the
    // key is new (most S3 writes create keys), which saves the head read; the transaction then
    // requires that head, and a wrong guess just retries with the head its refusal carries.
    // null = read the head (a caller's precondition is always checked against the live head).
    Optional<Versioned<ObjectRecord>> head = change.headCheck() == ObjectStore.Change.NO_CHECK
        ? guesses.guess(bucket, key) : null;
    boolean guessed = head != null && head.isPresent();
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      if (head == null) {
        head = store.head(bucket, key);
      }
      change.headCheck().accept(head.map(Versioned::value));
      Version hv = head.map(h -> h.value().version()).orElse(null);
      boolean nullMode = b.value().versioning() != Versioning.ENABLED;
      long seq = VersionIds.nextSeq(hv == null ? 0 : hv.seq(), System.currentTimeMillis());
      Txn t = new Txn(bucket, key, b, head, change);
      long nullSeq = 0;
      if (hv != null && nullMode) {
        t.removeNullVersion(hv);
      } else if (hv != null) {
        nullSeq = hv.isNull() ? t.keepNullAsNoncurrent(hv, seq) : hv.nullVersionSeq();
      }
      String id = nullMode ? ObjectRecord.NULL_VERSION : VersionIds.newId(seq);
      ObjectRecord stored = rec.withVersion(new Version(id, seq, rec.deleteMarker(), 0));
      t.putVersion(seq, stored);
      byte[] newHead = t.putHead(stored.withVersion(new Version(id, seq, rec.deleteMarker(), nullMode ? seq : nullSeq)));
      Optional<KvConflict> refused = t.tryCommit();
      if (refused == null) {
        guesses.remember(bucket, key, newHead, t.committedIndex());
        if (guessed && attempt == 0) {
          GUESS_HITS.increment();
        }
        return stored;
      }
      if (guessed && attempt == 0) {
        GUESS_STALE.increment();
      }
      KvConflict c = refused.orElse(null);
      if (c != null && c.getConditionIndex() == t.headCondition()) {
        head = c.getExists() ? Optional.of(new Versioned<>(ObjectRecord.decode(c.getValue().toByteArray()), c.getVersion()))
            : Optional.empty();  // the bucket's condition, checked before, held: b is current
      } else if (c != null && c.getConditionIndex() == t.bucketCondition()) {
        b = store.freshBucket(bucket, c.getExists()
            ? Optional.of(new Versioned<>(BucketRecord.decode(c.getValue().toByteArray()), c.getVersion()))
            : Optional.empty());  // the head's condition was not checked: keep the guess
      } else if (c != null && c.getConditionIndex() < change.conditions().size()) {
        throw change.onConditionFailed().get();  // the caller's own condition: final
      } else {
        t.explainConflict();  // no details (or a version entry moved): read everything again
        b = store.liveBucket(bucket);
        head = null;
      }
    }
    throw new S3Exception(S3ErrorCode.SLOW_DOWN, "too many concurrent writers on " + bucket + "/" + key);
  }

  /** DeleteObject without a version id: removes the null version, or adds a delete marker if versioned. */
  public DeleteResult delete(String bucket, String key, String owner) {
    BucketRecord b = store.cachedBucket(bucket).value();
    if (b.versioning() == Versioning.UNVERSIONED) {
      deleteVersion(bucket, key, ObjectRecord.NULL_VERSION);
      return new DeleteResult(null, false);
    }
    ObjectRecord dm = put(bucket, key, ObjectRecord.deleteMarker(owner, System.currentTimeMillis()),
        ObjectStore.Change.none());
    return new DeleteResult(dm.versionId(), true);
  }

  /** Removes one version for good; the next newest becomes current. A missing version is a no-op. */
  public DeleteResult deleteVersion(String bucket, String key, String versionId) {
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      Versioned<BucketRecord> b = attempt == 0 ? store.cachedBucket(bucket) : store.liveBucket(bucket);
      Optional<Versioned<ObjectRecord>> head = store.head(bucket, key);
      Optional<Target> target = head.flatMap(h -> locate(bucket, key, h, versionId));
      if (target.isEmpty()) {
        return new DeleteResult(versionId, false);
      }
      Target tg = target.get();
      Version hv = head.get().value().version();
      Txn t = new Txn(bucket, key, b, head, ObjectStore.Change.none());
      t.deleteVersion(tg);
      long nullSeq = tg.record().version().isNull() ? 0 : hv.nullVersionSeq();
      if (tg.latest()) {
        Optional<Versioned<ObjectRecord>> next = nextOlder(bucket, key, tg.seq());
        if (next.isPresent()) {
          t.condition(S3Keys.VERSIONS, S3Keys.version(bucket, key, next.get().value().version().seq()), next.get().version());
          Version nv = next.get().value().version();
          t.putHead(next.get().value().withVersion(new Version(nv.versionId(), nv.seq(), nv.deleteMarker(), nullSeq)));
        } else {
          t.deleteHead();
        }
      } else if (nullSeq != hv.nullVersionSeq()) {
        t.putHead(head.get().value().withVersion(new Version(hv.versionId(), hv.seq(), hv.deleteMarker(), nullSeq)));
      }
      if (t.commit()) {
        return new DeleteResult(tg.record().versionId(), tg.record().deleteMarker());
      }
    }
    throw new S3Exception(S3ErrorCode.SLOW_DOWN, "too many concurrent writers on " + bucket + "/" + key);
  }

  /** Rewrites one version's record (tags); NoSuchKey/NoSuchVersion when it is not there. */
  public ObjectRecord update(String bucket, String key, String versionId, UnaryOperator<ObjectRecord> change) {
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      Versioned<BucketRecord> b = store.liveBucket(bucket);
      Optional<Versioned<ObjectRecord>> head = store.head(bucket, key);
      String id = versionId != null ? versionId : head.map(h -> h.value().versionId()).orElse(null);
      Optional<Target> target = id == null ? Optional.empty() : head.flatMap(h -> locate(bucket, key, h, id));
      if (target.isEmpty() || target.get().record().deleteMarker()) {
        throw new S3Exception(versionId == null ? S3ErrorCode.NO_SUCH_KEY : S3ErrorCode.NO_SUCH_VERSION);
      }
      Target tg = target.get();
      ObjectRecord updated = change.apply(tg.record());
      Txn t = new Txn(bucket, key, b, head, ObjectStore.Change.none());
      if (tg.seq() != 0) {
        t.putVersion(tg.seq(), updated.withVersion(new Version(updated.versionId(), tg.seq(), false, 0)));
      }
      if (tg.latest()) {
        t.putHead(updated.withVersion(head.get().value().version()));
      }
      if (t.commit()) {
        return updated;
      }
    }
    throw new S3Exception(S3ErrorCode.SLOW_DOWN, "too many concurrent writers on " + bucket + "/" + key);
  }

  /** A version about to change: its record, seq, and the entry version to condition on (-1: the head's). */
  private record Target(ObjectRecord record, long seq, long entryVersion, boolean latest) {}

  private Optional<Target> locate(String bucket, String key, Versioned<ObjectRecord> head, String versionId) {
    Version hv = head.value().version();
    if (hv.versionId().equals(versionId)) {
      return Optional.of(new Target(head.value(), hv.seq(), -1, true));
    }
    long seq = ObjectRecord.NULL_VERSION.equals(versionId) ? hv.nullVersionSeq() : VersionIds.seqOf(versionId);
    if (seq == 0) {
      return Optional.empty();
    }
    return store.versionEntry(bucket, key, seq).filter(v -> v.value().versionId().equals(versionId))
        .map(v -> new Target(v.value(), seq, v.version(), false));
  }

  private Optional<Versioned<ObjectRecord>> nextOlder(String bucket, String key, long seq) {
    List<KvEntry> page = store.scan(S3Keys.VERSIONS, S3Keys.versionPrefix(bucket, key),
        seq == 0 ? S3Keys.skipPrefix(S3Keys.versionPrefix(bucket, key)) : S3Keys.version(bucket, key, seq), 1);
    return page.stream().findFirst()
        .map(e -> new Versioned<>(ObjectRecord.decode(e.getValue().toByteArray()), e.getVersion()));
  }

  /** One change being assembled: conditions on bucket and head, writes, and the garbage it makes. */
  private final class Txn {
    private final String bucket;
    private final String key;
    private final KvTxn.Builder t = KvTxn.newBuilder();
    private final List<Segment> garbage = new ArrayList<>();
    private final ObjectStore.Change change;
    private final Optional<Versioned<ObjectRecord>> head;
    private final long bucketVersion;
    private long committedIndex = -1;

    Txn(String bucket, String key, Versioned<BucketRecord> b, Optional<Versioned<ObjectRecord>> head,
        ObjectStore.Change change) {
      this.bucket = bucket;
      this.key = key;
      this.head = head;
      this.change = change;
      this.bucketVersion = b.version();
      t.addAllConditions(change.conditions()).addAllWrites(change.writes());
      condition(S3Keys.BUCKETS, S3Keys.bucket(bucket), b.version());
      KvCondition.Builder c = KvCondition.newBuilder().setNamespace(S3Keys.OBJECTS)
          .setKey(ByteString.copyFrom(S3Keys.object(bucket, key)));
      t.addConditions(head.isPresent() ? c.setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(head.get().version())
          : c.setKind(KvConditionKind.KV_MUST_NOT_EXIST));
      change.consumedIntents().forEach(id -> t.addWrites(ObjectStore.intentDelete(id)));
      garbage.addAll(change.extraGarbage());
    }

    void condition(String ns, byte[] k, long version) {
      t.addConditions(KvCondition.newBuilder().setNamespace(ns).setKey(ByteString.copyFrom(k))
          .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(version));
    }

    /** The null version goes away: its data becomes garbage. */
    void removeNullVersion(Version hv) {
      if (hv.isNull()) {
        garbage.addAll(head.get().value().segments());
        if (hv.seq() != 0) {
          delete(S3Keys.VERSIONS, S3Keys.version(bucket, key, hv.seq()));
        }
      } else if (hv.nullVersionSeq() != 0) {
        store.versionEntry(bucket, key, hv.nullVersionSeq()).ifPresent(old -> {
          condition(S3Keys.VERSIONS, S3Keys.version(bucket, key, hv.nullVersionSeq()), old.version());
          delete(S3Keys.VERSIONS, S3Keys.version(bucket, key, hv.nullVersionSeq()));
          garbage.addAll(old.value().segments());
        });
      }
    }

    /** A current null version becomes noncurrent; one from before version entries gets one now. */
    long keepNullAsNoncurrent(Version hv, long newSeq) {
      if (hv.seq() != 0) {
        return hv.seq();
      }
      long legacySeq = Math.min(head.get().value().lastModifiedMillis() << 12, newSeq - 1);
      putVersion(legacySeq, head.get().value().withVersion(new Version(ObjectRecord.NULL_VERSION, legacySeq, false, 0)));
      return legacySeq;
    }

    void deleteVersion(Target tg) {
      if (tg.seq() != 0) {
        if (tg.entryVersion() >= 0) {
          condition(S3Keys.VERSIONS, S3Keys.version(bucket, key, tg.seq()), tg.entryVersion());
        }
        delete(S3Keys.VERSIONS, S3Keys.version(bucket, key, tg.seq()));
      }
      garbage.addAll(tg.record().segments());
    }

    void putVersion(long seq, ObjectRecord r) {
      put(S3Keys.VERSIONS, S3Keys.version(bucket, key, seq), r.encode());
    }

    /** @return the encoded head, as it will be stored */
    byte[] putHead(ObjectRecord r) {
      byte[] encoded = r.encode();
      put(S3Keys.OBJECTS, S3Keys.object(bucket, key), encoded);
      return encoded;
    }

    void deleteHead() {
      delete(S3Keys.OBJECTS, S3Keys.object(bucket, key));
    }

    private void put(String ns, byte[] k, byte[] v) {
      t.addWrites(KvWrite.newBuilder().setNamespace(ns).setKey(ByteString.copyFrom(k)).setValue(ByteString.copyFrom(v)));
    }

    private void delete(String ns, byte[] k) {
      t.addWrites(KvWrite.newBuilder().setNamespace(ns).setKey(ByteString.copyFrom(k)).setDelete(true));
    }

    /** @return false when a condition failed because the key or bucket moved (retry); throws when final */
    boolean commit() {
      if (tryCommit() == null) {
        return true;
      }
      explainConflict();
      return false;
    }

    /**
     * Commits; null when done, else what the refusal says about the first failed condition (empty
     * when the metadata service did not say). Errors other than a failed condition are thrown.
     */
    Optional<KvConflict> tryCommit() {
      byte[] gcKey = garbage.isEmpty() ? null : ObjectStore.addGarbage(t, garbage);
      try {
        committedIndex = store.meta().txn(t.build());
        guesses.forget(bucket, key);  // the caller remembers the new head if it wrote one
      } catch (MetaException e) {
        if (e.status() != MetaStatus.META_CONDITION_FAILED) {
          throw e;
        }
        return e.conflict();
      }
      if (gcKey != null) {
        store.gc().collectSoon(gcKey, new RecordCodec.Garbage(ChunkedDataWriter.CHUNK_BYTES, garbage));
      }
      return null;
    }

    /** The log index that applied this transaction: the version of every key it wrote. */
    long committedIndex() {
      return committedIndex;
    }

    /** Index of the bucket's version condition in this transaction (after the caller's own). */
    int bucketCondition() {
      return change.conditions().size();
    }

    /** Index of the head's condition (right after the bucket's). */
    int headCondition() {
      return change.conditions().size() + 1;
    }

    /** A vanished bucket or a failed extra condition is final; a moved head or bucket is retried. */
    private void explainConflict() {
      Optional<Versioned<BucketRecord>> b = store.bucket(bucket);
      if (b.filter(v -> !v.value().deleting()).isEmpty()) {
        throw new S3Exception(S3ErrorCode.NO_SUCH_BUCKET);
      }
      Optional<Long> now = store.head(bucket, key).map(Versioned::version);
      if (now.equals(head.map(Versioned::version)) && b.get().version() == bucketVersion
          && !change.conditions().isEmpty()) {
        throw change.onConditionFailed().get();
      }
    }
  }
}

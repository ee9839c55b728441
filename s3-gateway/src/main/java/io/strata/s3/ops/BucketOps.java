package io.strata.s3.ops;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetaException;
import io.strata.proto.KvCondition;
import io.strata.proto.KvConditionKind;
import io.strata.proto.KvEntry;
import io.strata.proto.KvTxn;
import io.strata.proto.KvWrite;
import io.strata.proto.MetaStatus;
import io.strata.s3.auth.Authenticated;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.BucketRecord;
import io.strata.s3.store.S3Keys;
import io.strata.s3.store.Versioned;
import io.strata.s3.xml.XmlDocument;
import io.strata.s3.xml.XmlWriter;
import java.util.List;
import java.util.regex.Pattern;

/** ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, GetBucketVersioning. */
final class BucketOps {
  static final int MAX_BUCKETS_LISTED = 10_000;
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern IP = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");

  private final Services s;

  BucketOps(Services s) {
    this.s = s;
  }

  /** S3's naming rules, so any name we accept is also valid on AWS and in a host name. */
  static boolean validName(String name) {
    return NAME.matcher(name).matches() && !name.contains("..") && !name.contains(".-") && !name.contains("-.")
        && !IP.matcher(name).matches() && !name.startsWith("xn--") && !name.endsWith("-s3alias");
  }

  Operation list(Authenticated who) {
    return new Blocking(s.workers(), () -> {
      XmlWriter w = XmlWriter.root("ListAllMyBucketsResult");
      w.start("Owner").elem("ID", who.userName()).elem("DisplayName", who.userName()).end();
      w.start("Buckets");
      byte[] after = new byte[0];
      for (int listed = 0; listed < MAX_BUCKETS_LISTED; ) {
        List<KvEntry> page = s.store().scan(S3Keys.BUCKETS, new byte[0], after, 1000);
        for (KvEntry e : page) {
          BucketRecord b = BucketRecord.decode(e.getValue().toByteArray());
          if (b.owner().equals(who.userName()) && !b.deleting()) {
            w.start("Bucket").elem("Name", e.getKey().toStringUtf8())
                .elem("CreationDate", ObjectHeaders.iso(b.createdMillis())).end();
          }
          after = e.getKey().toByteArray();
          listed++;
        }
        if (page.size() < 1000) {
          break;
        }
      }
      return Reply.xml(200, w.end().toBytes());
    });
  }

  Operation create(S3Request r, Authenticated who) {
    if (!validName(r.bucket())) {
      throw new S3Exception(S3ErrorCode.INVALID_BUCKET_NAME);
    }
    return new XmlBody(s.workers(), body -> {
      if (body.length > 0 && !XmlDocument.parse(body).rootName().equals("CreateBucketConfiguration")) {
        throw new S3Exception(S3ErrorCode.MALFORMED_XML);
      }
      BucketRecord rec = new BucketRecord(who.userName(), System.currentTimeMillis(), false);
      try {
        s.store().meta().txn(KvTxn.newBuilder()
            .addConditions(KvCondition.newBuilder().setNamespace(S3Keys.BUCKETS).setKey(key(r.bucket()))
                .setKind(KvConditionKind.KV_MUST_NOT_EXIST))
            .addWrites(KvWrite.newBuilder().setNamespace(S3Keys.BUCKETS).setKey(key(r.bucket()))
                .setValue(ByteString.copyFrom(rec.encode())))
            .build());
      } catch (MetaException e) {
        if (e.status() != MetaStatus.META_CONDITION_FAILED) {
          throw e;
        }
        boolean mine = s.store().bucket(r.bucket()).map(v -> v.value().owner().equals(who.userName())).orElse(false);
        throw new S3Exception(mine ? S3ErrorCode.BUCKET_ALREADY_OWNED_BY_YOU : S3ErrorCode.BUCKET_ALREADY_EXISTS);
      }
      return Reply.empty(200).header("Location", "/" + r.bucket());
    });
  }

  Operation head(S3Request r, Authenticated who) {
    return new Blocking(s.workers(), () -> {
      s.store().requireBucket(r.bucket(), who.userName());
      return Reply.empty(200).header("x-amz-bucket-region", "us-east-1");
    });
  }

  Operation location(S3Request r, Authenticated who) {
    return new Blocking(s.workers(), () -> {
      s.store().requireBucket(r.bucket(), who.userName());
      return Reply.xml(200, XmlWriter.root("LocationConstraint").toBytes());
    });
  }

  Operation versioning(S3Request r, Authenticated who) {
    return new Blocking(s.workers(), () -> {
      s.store().requireBucket(r.bucket(), who.userName());
      return Reply.xml(200, XmlWriter.root("VersioningConfiguration").toBytes());
    });
  }

  /**
   * Marks the bucket deleting (a new version, which fences every object commit), checks it is
   * empty, then deletes it, or unmarks it and answers BucketNotEmpty.
   */
  Operation delete(S3Request r, Authenticated who) {
    return new Blocking(s.workers(), () -> {
      s.store().requireBucket(r.bucket(), who.userName());
      Versioned<BucketRecord> b = s.store().bucket(r.bucket()).orElseThrow(() -> new S3Exception(S3ErrorCode.NO_SUCH_BUCKET));
      BucketRecord marked = new BucketRecord(b.value().owner(), b.value().createdMillis(), true);
      long v = casBucket(r.bucket(), b.version(), marked.encode());
      boolean empty;
      try {
        empty = s.store().scan(S3Keys.OBJECTS, S3Keys.objectPrefix(r.bucket()), new byte[0], 1).isEmpty()
            && s.store().scan(S3Keys.UPLOADS, S3Keys.objectPrefix(r.bucket()), new byte[0], 1).isEmpty();
      } catch (RuntimeException e) {
        casBucket(r.bucket(), v, b.value().encode());  // never leave a bucket stuck in "deleting"
        throw e;
      }
      if (!empty) {
        casBucket(r.bucket(), v, b.value().encode());
        throw new S3Exception(S3ErrorCode.BUCKET_NOT_EMPTY);
      }
      casBucket(r.bucket(), v, null);
      return Reply.empty(204);
    });
  }

  private long casBucket(String bucket, long version, byte[] value) {
    KvWrite.Builder w = KvWrite.newBuilder().setNamespace(S3Keys.BUCKETS).setKey(key(bucket));
    try {
      return s.store().meta().txn(KvTxn.newBuilder()
          .addConditions(KvCondition.newBuilder().setNamespace(S3Keys.BUCKETS).setKey(key(bucket))
              .setKind(KvConditionKind.KV_VERSION_EQUALS).setVersion(version))
          .addWrites(value == null ? w.setDelete(true) : w.setValue(ByteString.copyFrom(value)))
          .build());
    } catch (MetaException e) {
      if (e.status() == MetaStatus.META_CONDITION_FAILED) {
        throw new S3Exception(S3ErrorCode.SLOW_DOWN, "bucket changed concurrently; retry");
      }
      throw e;
    }
  }

  private static ByteString key(String bucket) {
    return ByteString.copyFrom(S3Keys.bucket(bucket));
  }
}

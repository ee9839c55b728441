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
import io.strata.s3.policy.S3Actions;
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
    if (who.isAnonymous()) {
      throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
    }
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
    if (who.isAnonymous()) {
      throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
    }
    if (!validName(r.bucket())) {
      throw new S3Exception(S3ErrorCode.INVALID_BUCKET_NAME);
    }
    return new XmlBody(s.workers(), body -> {
      if (body.length > 0 && !XmlDocument.parse(body).rootName().equals("CreateBucketConfiguration")) {
        throw new S3Exception(S3ErrorCode.MALFORMED_XML);
      }
      BucketRecord rec = BucketRecord.create(who.userName(), System.currentTimeMillis());
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
    s.authorize(r, who, S3Actions.LIST_BUCKET);
    return new Blocking(s.workers(), () -> Reply.empty(200).header("x-amz-bucket-region", "us-east-1"));
  }

  Operation location(S3Request r, Authenticated who) {
    s.authorize(r, who, S3Actions.GET_BUCKET_LOCATION);
    return new Blocking(s.workers(), () -> Reply.xml(200, XmlWriter.root("LocationConstraint").toBytes()));
  }

  Operation versioning(S3Request r, Authenticated who) {
    BucketRecord b = s.authorize(r, who, S3Actions.GET_BUCKET_VERSIONING);
    return new Blocking(s.workers(), () -> {
      XmlWriter w = XmlWriter.root("VersioningConfiguration");
      if (b.versioning() != BucketRecord.Versioning.UNVERSIONED) {
        w.elem("Status", b.versioning() == BucketRecord.Versioning.ENABLED ? "Enabled" : "Suspended");
      }
      return Reply.xml(200, w.toBytes());
    });
  }

  /** PutBucketVersioning: Enabled or Suspended (a bucket never goes back to unversioned). */
  Operation putVersioning(S3Request r, Authenticated who) {
    s.authorize(r, who, S3Actions.PUT_BUCKET_VERSIONING);
    return new XmlBody(s.workers(), body -> {
      XmlDocument d = XmlDocument.parse(body);
      if (!d.rootName().equals("VersioningConfiguration")) {
        throw new S3Exception(S3ErrorCode.MALFORMED_XML);
      }
      String status = XmlDocument.childText(d.root(), "Status");
      String mfa = XmlDocument.childText(d.root(), "MfaDelete");
      if (mfa != null && !mfa.equals("Disabled")) {
        throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED, "MFA delete is not supported");
      }
      BucketRecord.Versioning v;
      if ("Enabled".equals(status)) {
        v = BucketRecord.Versioning.ENABLED;
      } else if ("Suspended".equals(status)) {
        v = BucketRecord.Versioning.SUSPENDED;
      } else if (status == null) {
        return Reply.empty(200);
      } else {
        throw new S3Exception(S3ErrorCode.ILLEGAL_VERSIONING_CONFIGURATION);
      }
      updateBucket(r.bucket(), b -> b.withVersioning(v));
      return Reply.empty(200);
    });
  }

  /** Rewrites the bucket record with CAS (retried), e.g. for configuration changes. */
  BucketRecord updateBucket(String bucket, java.util.function.UnaryOperator<BucketRecord> change) {
    for (int attempt = 0; attempt < 16; attempt++) {
      Versioned<BucketRecord> b = s.store().liveBucket(bucket);
      BucketRecord updated = change.apply(b.value());
      try {
        casBucket(bucket, b.version(), updated.encode());
        s.store().invalidateBucket(bucket);
        return updated;
      } catch (S3Exception e) {
        if (e.code() != S3ErrorCode.SLOW_DOWN) {
          throw e;
        }
      }
    }
    throw new S3Exception(S3ErrorCode.SLOW_DOWN, "bucket " + bucket + " changed concurrently; retry");
  }

  /**
   * Marks the bucket deleting (a new version, which fences every object commit), checks it is
   * empty, then deletes it, or unmarks it and answers BucketNotEmpty.
   */
  Operation delete(S3Request r, Authenticated who) {
    s.authorize(r, who, S3Actions.DELETE_BUCKET);
    return new Blocking(s.workers(), () -> {
      Versioned<BucketRecord> b = s.store().liveBucket(r.bucket());
      BucketRecord marked = b.value().withDeleting(true);
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
      s.store().invalidateBucket(r.bucket());
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

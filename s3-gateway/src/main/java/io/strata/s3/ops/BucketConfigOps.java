package io.strata.s3.ops;

import io.strata.s3.auth.Authenticated;
import io.strata.s3.cors.CorsConfiguration;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.policy.BucketPolicy;
import io.strata.s3.policy.S3Actions;
import io.strata.s3.store.BucketRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Bucket policy, bucket tagging and CORS configuration: Get/Put/Delete of each, kept in the bucket record. */
final class BucketConfigOps {
  static final int MAX_CORS_BYTES = 64 << 10;

  private final Services s;
  private final BucketOps buckets;

  BucketConfigOps(Services s, BucketOps buckets) {
    this.s = s;
    this.buckets = buckets;
  }

  Operation getPolicy(S3Request r, Authenticated who) {
    BucketRecord b = s.authorize(r.bucket(), null, who, S3Actions.GET_BUCKET_POLICY);
    return new Blocking(s.workers(), () -> {
      if (b.policyJson().isEmpty()) {
        throw new S3Exception(S3ErrorCode.NO_SUCH_BUCKET_POLICY);
      }
      return Reply.bytes(200, b.policyJson().getBytes(StandardCharsets.UTF_8), "application/json");
    });
  }

  Operation putPolicy(S3Request r, Authenticated who) {
    s.authorize(r.bucket(), null, who, S3Actions.PUT_BUCKET_POLICY);
    return new XmlBody(s.workers(), body -> {
      String json = new String(body, StandardCharsets.UTF_8);
      BucketPolicy.parse(json, r.bucket());
      buckets.updateBucket(r.bucket(), b -> b.withPolicy(json));
      return Reply.empty(204);
    });
  }

  Operation deletePolicy(S3Request r, Authenticated who) {
    s.authorize(r.bucket(), null, who, S3Actions.DELETE_BUCKET_POLICY);
    return new Blocking(s.workers(), () -> {
      buckets.updateBucket(r.bucket(), b -> b.withPolicy(""));
      return Reply.empty(204);
    });
  }

  Operation getTagging(S3Request r, Authenticated who) {
    BucketRecord b = s.authorize(r.bucket(), null, who, S3Actions.GET_BUCKET_TAGGING);
    return new Blocking(s.workers(), () -> {
      if (b.tags().isEmpty()) {
        throw new S3Exception(S3ErrorCode.NO_SUCH_TAG_SET);
      }
      return Reply.xml(200, Tagging.toXml(b.tags()));
    });
  }

  Operation putTagging(S3Request r, Authenticated who) {
    s.authorize(r.bucket(), null, who, S3Actions.PUT_BUCKET_TAGGING);
    return new XmlBody(s.workers(), body -> {
      Map<String, String> tags = Tagging.parseXml(body, Tagging.MAX_BUCKET_TAGS);
      buckets.updateBucket(r.bucket(), b -> b.withTags(tags));
      return Reply.empty(204);
    });
  }

  Operation deleteTagging(S3Request r, Authenticated who) {
    s.authorize(r.bucket(), null, who, S3Actions.PUT_BUCKET_TAGGING);
    return new Blocking(s.workers(), () -> {
      buckets.updateBucket(r.bucket(), b -> b.withTags(Map.of()));
      return Reply.empty(204);
    });
  }

  Operation getCors(S3Request r, Authenticated who) {
    BucketRecord b = s.authorize(r.bucket(), null, who, S3Actions.GET_BUCKET_CORS);
    return new Blocking(s.workers(), () -> {
      if (b.corsXml().isEmpty()) {
        throw new S3Exception(S3ErrorCode.NO_SUCH_CORS_CONFIGURATION);
      }
      return Reply.xml(200, CorsConfiguration.parse(b.corsXml().getBytes(StandardCharsets.UTF_8)).toXml());
    });
  }

  Operation putCors(S3Request r, Authenticated who) {
    s.authorize(r.bucket(), null, who, S3Actions.PUT_BUCKET_CORS);
    return new XmlBody(s.workers(), body -> {
      if (body.length > MAX_CORS_BYTES) {
        throw new S3Exception(S3ErrorCode.MALFORMED_XML, "CORS configurations are limited to " + MAX_CORS_BYTES + " bytes");
      }
      CorsConfiguration.parse(body);
      String xml = new String(body, StandardCharsets.UTF_8);
      buckets.updateBucket(r.bucket(), b -> b.withCors(xml));
      return Reply.empty(200);
    });
  }

  Operation deleteCors(S3Request r, Authenticated who) {
    s.authorize(r.bucket(), null, who, S3Actions.PUT_BUCKET_CORS);
    return new Blocking(s.workers(), () -> {
      buckets.updateBucket(r.bucket(), b -> b.withCors(""));
      return Reply.empty(204);
    });
  }
}

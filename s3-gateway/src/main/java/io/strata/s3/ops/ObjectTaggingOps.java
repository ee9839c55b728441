package io.strata.s3.ops;

import io.strata.s3.auth.Authenticated;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.policy.S3Actions;
import io.strata.s3.store.BucketRecord;
import io.strata.s3.store.ObjectRecord;
import java.util.Map;

/** Get/Put/DeleteObjectTagging, per version (the current one unless {@code versionId} is given). */
final class ObjectTaggingOps {
  private final Services s;

  ObjectTaggingOps(Services s) {
    this.s = s;
  }

  Operation get(S3Request r, Authenticated who) {
    BucketRecord b = s.authorize(r, who, S3Actions.GET_OBJECT_TAGGING);
    String versionId = r.param("versionId");
    return new Blocking(s.workers(), () -> {
      ObjectRecord o = (versionId == null ? s.store().object(r.bucket(), r.key()).map(v -> v.value())
          : s.store().version(r.bucket(), r.key(), versionId)).filter(x -> !x.deleteMarker())
          .orElseThrow(() -> new S3Exception(versionId == null ? S3ErrorCode.NO_SUCH_KEY : S3ErrorCode.NO_SUCH_VERSION));
      Reply reply = Reply.xml(200, Tagging.toXml(o.tags()));
      ObjectHeaders.versionHeader(reply, b, o.versionId());
      return reply;
    });
  }

  Operation put(S3Request r, Authenticated who) {
    BucketRecord b = s.authorize(r, who, S3Actions.PUT_OBJECT_TAGGING);
    return new XmlBody(s.workers(), body -> {
      Map<String, String> tags = Tagging.parseXml(body, Tagging.MAX_OBJECT_TAGS);
      ObjectRecord o = s.store().versions().update(r.bucket(), r.key(), r.param("versionId"), x -> x.withTags(tags));
      Reply reply = Reply.empty(200);
      ObjectHeaders.versionHeader(reply, b, o.versionId());
      return reply;
    });
  }

  Operation delete(S3Request r, Authenticated who) {
    BucketRecord b = s.authorize(r, who, S3Actions.DELETE_OBJECT_TAGGING);
    return new Blocking(s.workers(), () -> {
      ObjectRecord o = s.store().versions().update(r.bucket(), r.key(), r.param("versionId"), x -> x.withTags(Map.of()));
      Reply reply = Reply.empty(204);
      ObjectHeaders.versionHeader(reply, b, o.versionId());
      return reply;
    });
  }
}

package io.strata.s3.policy;

import io.strata.s3.auth.Authenticated;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.store.BucketRecord;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may do what to a bucket: AWS's evaluation order with the bucket owner as the account. An
 * explicit Deny in the bucket policy refuses anyone (the owner keeps the policy calls, so a bad
 * policy can always be removed); otherwise the owner may do everything, and any other user, or
 * an anonymous request, only what an Allow statement grants.
 */
public final class AccessControl {
  static final int MAX_CACHED_POLICIES = 1024;

  private final ConcurrentHashMap<String, BucketPolicy> parsed = new ConcurrentHashMap<>();

  /** Throws AccessDenied unless {@code who} may do {@code action} on {@code bucket} (and {@code key}, when not null). */
  public void check(BucketRecord b, String bucket, Authenticated who, String action, String key) {
    if (!allowed(b, bucket, who, action, key)) {
      throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
    }
  }

  public boolean allowed(BucketRecord b, String bucket, Authenticated who, String action, String key) {
    boolean owner = !who.isAnonymous() && b.owner().equals(who.userName());
    if (b.policyJson().isEmpty()) {
      return owner;
    }
    String resource = "arn:aws:s3:::" + bucket + (key == null ? "" : "/" + key);
    BucketPolicy.Decision d = policy(b, bucket).evaluate(who.userName(), action, resource);
    if (d == BucketPolicy.Decision.DENY) {
      return owner && action.endsWith("BucketPolicy");
    }
    return owner || d == BucketPolicy.Decision.ALLOW;
  }

  private BucketPolicy policy(BucketRecord b, String bucket) {
    String cacheKey = bucket + "\n" + b.policyJson();
    BucketPolicy p = parsed.get(cacheKey);
    if (p == null) {
      p = BucketPolicy.parse(b.policyJson(), bucket);
      if (parsed.size() >= MAX_CACHED_POLICIES) {
        parsed.clear();
      }
      parsed.put(cacheKey, p);
    }
    return p;
  }
}

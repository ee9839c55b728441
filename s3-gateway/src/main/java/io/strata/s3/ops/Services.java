package io.strata.s3.ops;

import io.strata.client.ChunkClient;
import io.strata.s3.S3Config;
import io.strata.s3.auth.Authenticated;
import io.strata.s3.http.S3Request;
import io.strata.s3.policy.AccessControl;
import io.strata.s3.store.BucketRecord;
import io.strata.s3.store.BufferBudget;
import io.strata.s3.store.ObjectStore;
import io.strata.s3.store.PendingCleanups;
import java.util.concurrent.ExecutorService;

/** What operations use: metadata, chunks, the pool, the worker threads, the limits and access control. */
public record Services(ObjectStore store, ChunkClient chunks, int poolId, ExecutorService workers, S3Config config,
                       AccessControl access, BufferBudget budget, PendingCleanups cleanups) {

  /** The request's bucket, if it exists and {@code who} may do {@code action} on it (and its key). */
  BucketRecord authorize(S3Request r, Authenticated who, String action) {
    return authorize(r.bucket(), r.key(), who, action);
  }

  BucketRecord authorize(String bucket, String key, Authenticated who, String action) {
    BucketRecord b = store.cachedBucket(bucket).value();
    access.check(b, bucket, who, action, key);
    return b;
  }
}

package io.strata.s3.ops;

import io.strata.client.ChunkClient;
import io.strata.s3.S3Config;
import io.strata.s3.store.ObjectStore;
import java.util.concurrent.ExecutorService;

/** What operations use: metadata, chunks, the pool, the worker threads and the limits. */
public record Services(ObjectStore store, ChunkClient chunks, int poolId, ExecutorService workers, S3Config config) {}

package io.strata.metadata.state;

import io.strata.metadata.store.Batch;

/** What one command sees while it is applied: the entry's batch, its log index and leader time. */
public record ApplyContext(Batch batch, long index, long leaderTimeMillis) {}

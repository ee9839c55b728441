package io.strata.s3.store;

/** A decoded metadata value with its version (the log index that wrote it), for CAS. */
public record Versioned<T>(T value, long version) {}

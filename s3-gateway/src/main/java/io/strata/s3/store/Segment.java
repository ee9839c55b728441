package io.strata.s3.store;

/** A run of object bytes stored as chunks {@code 0..n-1} of one data id. */
public record Segment(String dataId, long length) {
  public long chunkCount(int chunkBytes) {
    return (length + chunkBytes - 1) / chunkBytes;
  }
}

package io.strata.nfs.fs;

/** An object's attributes before and after an operation (NFSv3 weak cache consistency data). */
public record Change(Inode before, Inode after) {
  public static Change unchanged(Inode i) {
    return new Change(i, i);
  }
}

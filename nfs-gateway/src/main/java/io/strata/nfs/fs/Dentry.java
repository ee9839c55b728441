package io.strata.nfs.fs;

/**
 * A name in a directory: the inode it names, its READDIR cookie (position in the directory's
 * cookie order, stable while the entry exists) and the metadata version of the record.
 */
public record Dentry(long dir, String name, long ino, long cookie, FileType type, long version) {}

package io.strata.nfs.fs;

/** Rules for entry names and the directories they live in. */
final class Names {
  private Names() {}

  /** A name to look up or remove: 1..255 bytes, no '/' or NUL. */
  static void check(String name) {
    if (name.length() > FileSystem.MAX_NAME_BYTES) {
      throw new FsException(FsStatus.NAMETOOLONG, "name of " + name.length() + " bytes");
    }
    if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
      throw new FsException(FsStatus.INVAL, "invalid name");
    }
  }

  /** A name an entry is to be created under: "." and ".." already exist. */
  static void checkNew(String name) {
    if (name.length() > FileSystem.MAX_NAME_BYTES) {
      throw new FsException(FsStatus.NAMETOOLONG, "name of " + name.length() + " bytes");
    }
    if (name.equals(".") || name.equals("..")) {
      throw new FsException(FsStatus.EXIST, "'" + name + "' exists");
    }
    check(name);
  }

  static Inode requireDir(Inode dir) {
    if (dir == null) {
      throw new FsException(FsStatus.STALE, "directory gone");
    }
    if (!dir.isDir()) {
      throw new FsException(FsStatus.NOTDIR, "inode " + dir.id + " is not a directory");
    }
    return dir;
  }
}

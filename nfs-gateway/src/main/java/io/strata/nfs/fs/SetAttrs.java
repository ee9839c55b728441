package io.strata.nfs.fs;

/**
 * Attribute changes requested by SETATTR or carried by CREATE/MKDIR/SYMLINK/MKNOD (sattr3).
 * Null means "leave unchanged". Times: {@link #SERVER_TIME} means "set to now".
 */
public record SetAttrs(Integer mode, Integer uid, Integer gid, Long size, Long atime, Long mtime) {
  public static final long SERVER_TIME = Long.MIN_VALUE;
  public static final SetAttrs NONE = new SetAttrs(null, null, null, null, null, null);

  public boolean empty() {
    return mode == null && uid == null && gid == null && size == null && atime == null && mtime == null;
  }

  public SetAttrs withoutMode() {
    return new SetAttrs(null, uid, gid, size, atime, mtime);
  }
}

package io.strata.nfs.fs;

/** Inode types, numbered as NFSv3's ftype3. */
public enum FileType {
  REG(1), DIR(2), BLK(3), CHR(4), LNK(5), SOCK(6), FIFO(7);

  public final int code;

  FileType(int code) {
    this.code = code;
  }

  public static FileType of(int code) {
    for (FileType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("no file type " + code);
  }
}

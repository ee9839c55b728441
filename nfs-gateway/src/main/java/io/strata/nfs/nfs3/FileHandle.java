package io.strata.nfs.nfs3;

import io.strata.nfs.fs.FsException;
import io.strata.nfs.fs.FsStatus;
import java.nio.ByteBuffer;

/**
 * An NFSv3 file handle (24 bytes): format byte, three reserved bytes, the file system id, the
 * inode number and the inode's generation. It names the inode itself, not a path, so it stays
 * valid across renames and gateway restarts; a removed inode (numbers are never reused) or one
 * with a different generation is STALE.
 */
public record FileHandle(long fsid, long ino, int generation) {
  public static final int BYTES = 24;
  static final byte FORMAT = 1;

  public byte[] encode() {
    return ByteBuffer.allocate(BYTES).put(FORMAT).put((byte) 0).put((byte) 0).put((byte) 0)
        .putLong(fsid).putLong(ino).putInt(generation).array();
  }

  /** BADHANDLE for anything this gateway did not hand out. */
  public static FileHandle decode(byte[] b) {
    if (b.length != BYTES || b[0] != FORMAT || b[1] != 0 || b[2] != 0 || b[3] != 0) {
      throw new FsException(FsStatus.BADHANDLE, "not a file handle of this server (" + b.length + " bytes)");
    }
    ByteBuffer bb = ByteBuffer.wrap(b, 4, 20);
    return new FileHandle(bb.getLong(), bb.getLong(), bb.getInt());
  }
}

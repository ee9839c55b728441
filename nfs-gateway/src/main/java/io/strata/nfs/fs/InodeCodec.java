package io.strata.nfs.fs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Binary form of an inode record (format 1, fixed fields then the symlink target). */
public final class InodeCodec {
  static final byte FORMAT = 1;
  static final int FIXED_BYTES = 1 + 8 + 4 + 1 + 4 + 4 + 4 + 4 + 8 + 8 + 8 + 8 + 8 + 8 + 8 + 8 + 4;

  private InodeCodec() {}

  public static byte[] encode(Inode i) {
    byte[] target = i.target.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(FIXED_BYTES + target.length);
    b.put(FORMAT).putLong(i.id).putInt(i.generation).put((byte) i.type.code).putInt(i.mode).putInt(i.uid)
        .putInt(i.gid).putInt(i.nlink).putLong(i.size).putLong(i.rdev).putLong(i.atime).putLong(i.mtime)
        .putLong(i.ctime).putLong(i.parent).putLong(i.nextCookie).putLong(i.createVerifier)
        .putInt(target.length).put(target);
    return b.array();
  }

  /** Decodes a stored record; an unreadable one is a corruption, reported as IO. */
  public static Inode decode(byte[] bytes, long version) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      if (b.get() != FORMAT) {
        throw new FsException(FsStatus.IO, "unknown inode record format");
      }
      long id = b.getLong();
      int generation = b.getInt();
      FileType type = FileType.of(b.get());
      Inode.Builder ib = Inode.builder(id, type).generation(generation).mode(b.getInt()).uid(b.getInt())
          .gid(b.getInt()).nlink(b.getInt()).size(b.getLong()).rdev(b.getLong()).atime(b.getLong())
          .mtime(b.getLong()).ctime(b.getLong()).parent(b.getLong()).nextCookie(b.getLong())
          .createVerifier(b.getLong());
      int n = b.getInt();
      if (n < 0 || n > b.remaining()) {
        throw new FsException(FsStatus.IO, "inode record target length " + n);
      }
      byte[] t = new byte[n];
      b.get(t);
      return ib.target(new String(t, StandardCharsets.ISO_8859_1)).version(version).build();
    } catch (RuntimeException e) {
      if (e instanceof FsException) {
        throw e;
      }
      throw new FsException(FsStatus.IO, "corrupt inode record: " + e);
    }
  }
}

package io.strata.nfs.fs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Key layout of one file system in the metadata namespace {@link #NAMESPACE}, all prefixed by
 * a kind byte and the file system id, so each kind of one file system is one range:
 * <pre>
 *   'i' fsid ino                 → inode record
 *   'd' fsid dir name            → dentry (ino, cookie, type): LOOKUP is one get
 *   'c' fsid dir cookie          → (ino, type, name): READDIR is one range scan in cookie order
 *   'g' fsid ino                 → data to delete (a removed file's size), finished by the collector
 *   'u' fsid                     → usage checkpoint (bytes, files, clean flag)
 *   'l' fsid                     → the lease of the gateway serving the file system
 * </pre>
 */
public final class FsKeys {
  public static final String NAMESPACE = "nfs";

  private FsKeys() {}

  public static byte[] inode(long fsid, long ino) {
    return ByteBuffer.allocate(17).put((byte) 'i').putLong(fsid).putLong(ino).array();
  }

  public static byte[] inodePrefix(long fsid) {
    return ByteBuffer.allocate(9).put((byte) 'i').putLong(fsid).array();
  }

  public static byte[] dentry(long fsid, long dir, String name) {
    byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
    return ByteBuffer.allocate(17 + n.length).put((byte) 'd').putLong(fsid).putLong(dir).put(n).array();
  }

  public static byte[] cookie(long fsid, long dir, long cookie) {
    return ByteBuffer.allocate(25).put((byte) 'c').putLong(fsid).putLong(dir).putLong(cookie).array();
  }

  public static byte[] cookiePrefix(long fsid, long dir) {
    return ByteBuffer.allocate(17).put((byte) 'c').putLong(fsid).putLong(dir).array();
  }

  public static long cookieOf(byte[] cookieKey) {
    return ByteBuffer.wrap(cookieKey, 17, 8).getLong();
  }

  public static byte[] garbage(long fsid, long ino) {
    return ByteBuffer.allocate(17).put((byte) 'g').putLong(fsid).putLong(ino).array();
  }

  public static byte[] garbagePrefix(long fsid) {
    return ByteBuffer.allocate(9).put((byte) 'g').putLong(fsid).array();
  }

  public static long inoOf(byte[] key) {
    return ByteBuffer.wrap(key, 9, 8).getLong();
  }

  public static byte[] usage(long fsid) {
    return ByteBuffer.allocate(9).put((byte) 'u').putLong(fsid).array();
  }

  public static byte[] lease(long fsid) {
    return ByteBuffer.allocate(9).put((byte) 'l').putLong(fsid).array();
  }

  /** Every key of a file system starts with one of these prefixes (for deleting a share). */
  public static byte[][] allPrefixes(long fsid) {
    return new byte[][] {inodePrefix(fsid), kind('d', fsid), kind('c', fsid), garbagePrefix(fsid),
        usage(fsid), lease(fsid)};
  }

  private static byte[] kind(char k, long fsid) {
    return ByteBuffer.allocate(9).put((byte) k).putLong(fsid).array();
  }

  // ---- values

  static byte[] dentryValue(long ino, long cookie, FileType type) {
    return ByteBuffer.allocate(17).putLong(ino).putLong(cookie).put((byte) type.code).array();
  }

  static Dentry decodeDentry(long dir, String name, byte[] v, long version) {
    ByteBuffer b = ByteBuffer.wrap(v);
    return new Dentry(dir, name, b.getLong(), b.getLong(), FileType.of(b.get()), version);
  }

  static byte[] cookieValue(long ino, FileType type, String name) {
    byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
    return ByteBuffer.allocate(9 + n.length).putLong(ino).put((byte) type.code).put(n).array();
  }

  static Dentry decodeCookie(long dir, long cookie, byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    long ino = b.getLong();
    FileType t = FileType.of(b.get());
    String name = new String(Arrays.copyOfRange(v, 9, v.length), StandardCharsets.ISO_8859_1);
    return new Dentry(dir, name, ino, cookie, t, 0);
  }
}

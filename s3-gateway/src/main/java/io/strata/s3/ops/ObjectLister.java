package io.strata.s3.ops;

import io.strata.proto.KvEntry;
import io.strata.s3.store.S3Keys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The listing algorithm shared by ListObjects v1 and v2, over any ordered scan. Keys that roll
 * up into a common prefix are skipped in one step by restarting the scan after
 * {@code prefix + 0xFF}, so a directory with a million entries costs one page, not a million rows.
 * Pure (the scan is a function), so it is tested against an in-memory map.
 */
final class ObjectLister {
  static final int PAGE = 1000;

  interface Scan {
    List<KvEntry> scan(byte[] prefix, byte[] startAfter, int limit);
  }

  record Item(String key, KvEntry entry) {}

  /**
   * @param contents objects in order; {@code commonPrefixes} likewise
   * @param nextCursor bucket-relative scan position to continue from when truncated
   * @param lastItem last key or common prefix returned (v1's NextMarker)
   */
  record Page(List<Item> contents, List<String> commonPrefixes, boolean truncated, byte[] nextCursor, String lastItem) {}

  private ObjectLister() {}

  /** @param startAfter bucket-relative exclusive start position (bytes, may hold 0xFF), empty for none */
  static Page list(Scan scan, String bucket, String prefix, String delimiter, byte[] startAfter, int maxKeys) {
    return list(scan, bucket, prefix, delimiter, startAfter, maxKeys, e -> true);
  }

  /** @param visible false for entries that take no place in the listing (keys whose newest version is a delete marker) */
  static Page list(Scan scan, String bucket, String prefix, String delimiter, byte[] startAfter, int maxKeys,
                   java.util.function.Predicate<KvEntry> visible) {
    byte[] base = S3Keys.objectPrefix(bucket);
    byte[] fullPrefix = concat(base, utf8(prefix));
    byte[] cursor = startAfter.length == 0 ? new byte[0] : concat(base, rollUp(startAfter, prefix, delimiter));
    List<Item> contents = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String last = null;
    boolean exhausted = false;
    while (contents.size() + prefixes.size() < maxKeys && !exhausted) {
      int limit = Math.min(PAGE, maxKeys - contents.size() - prefixes.size() + 1);
      List<KvEntry> page = scan.scan(fullPrefix, cursor, limit);
      exhausted = page.size() < limit;
      for (KvEntry e : page) {
        String key = e.getKey().substring(base.length).toStringUtf8();
        int at = delimiter.isEmpty() ? -1 : key.indexOf(delimiter, prefix.length());
        if (at >= 0) {
          String cp = key.substring(0, at + delimiter.length());
          prefixes.add(cp);
          last = cp;
          cursor = S3Keys.skipPrefix(concat(base, utf8(cp)));
          exhausted = false;  // restart the scan past this prefix
          break;
        }
        cursor = e.getKey().toByteArray();
        if (!visible.test(e)) {
          continue;  // the key's newest version is a delete marker: not listed
        }
        contents.add(new Item(key, e));
        last = key;
        if (contents.size() + prefixes.size() == maxKeys) {
          break;
        }
      }
    }
    boolean truncated = contents.size() + prefixes.size() == maxKeys && maxKeys > 0
        && !scan.scan(fullPrefix, cursor, 1).isEmpty();
    byte[] next = cursor.length == 0 ? cursor : Arrays.copyOfRange(cursor, base.length, cursor.length);
    return new Page(contents, prefixes, truncated, next, last);
  }

  static boolean isDeleteMarker(KvEntry e) {
    return io.strata.s3.store.ObjectRecord.decode(e.getValue().toByteArray()).deleteMarker();
  }

  /** A start position inside a common prefix means "after that whole prefix". */
  private static byte[] rollUp(byte[] startAfter, String prefix, String delimiter) {
    String s = new String(startAfter, StandardCharsets.UTF_8);
    if (delimiter.isEmpty() || !s.startsWith(prefix) || startAfter[startAfter.length - 1] == (byte) 0xff) {
      return startAfter;
    }
    int at = s.indexOf(delimiter, prefix.length());
    return at < 0 ? startAfter : S3Keys.skipPrefix(utf8(s.substring(0, at + delimiter.length())));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

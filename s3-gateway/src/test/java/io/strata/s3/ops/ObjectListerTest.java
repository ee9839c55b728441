package io.strata.s3.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.proto.KvEntry;
import io.strata.s3.store.S3Keys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The listing walk against an in-memory ordered map with the metadata scan's semantics. */
class ObjectListerTest {
  final TreeMap<byte[], byte[]> kv = new TreeMap<>(Arrays::compareUnsigned);
  int scans;

  ObjectLister.Scan scan = (prefix, after, limit) -> {
    scans++;
    List<KvEntry> out = new ArrayList<>();
    for (var e : kv.tailMap(after.length > 0 && Arrays.compareUnsigned(after, prefix) >= 0 ? after : prefix, true).entrySet()) {
      byte[] k = e.getKey();
      if (Arrays.equals(k, after)) {
        continue;
      }
      if (k.length < prefix.length || !Arrays.equals(Arrays.copyOf(k, prefix.length), prefix) || out.size() == limit) {
        break;
      }
      out.add(KvEntry.newBuilder().setKey(ByteString.copyFrom(k)).setValue(ByteString.EMPTY).build());
    }
    return out;
  };

  void put(String bucket, String... keys) {
    for (String k : keys) {
      kv.put(S3Keys.object(bucket, k), new byte[0]);
    }
  }

  static List<String> keys(ObjectLister.Page p) {
    return p.contents().stream().map(ObjectLister.Item::key).toList();
  }

  @Test
  void flatListingPagesWithCursor() {
    put("b", "a", "b", "c", "d", "e");
    put("bb", "x");  // another bucket whose name extends this one's must not leak in
    ObjectLister.Page p = ObjectLister.list(scan, "b", "", "", new byte[0], 2);
    assertEquals(List.of("a", "b"), keys(p));
    assertTrue(p.truncated());
    p = ObjectLister.list(scan, "b", "", "", p.nextCursor(), 2);
    assertEquals(List.of("c", "d"), keys(p));
    p = ObjectLister.list(scan, "b", "", "", p.nextCursor(), 2);
    assertEquals(List.of("e"), keys(p));
    assertFalse(p.truncated());
  }

  @Test
  void delimiterRollsUpAndSkipsWholePrefixes() {
    for (int i = 0; i < 500; i++) {
      put("b", String.format("dir/%04d", i));
    }
    put("b", "a.txt", "dir2/x", "z.txt", "photos/2024/a.jpg", "photos/2025/b.jpg", "photos/top.jpg");
    scans = 0;
    ObjectLister.Page p = ObjectLister.list(scan, "b", "", "/", new byte[0], 1000);
    assertEquals(List.of("a.txt", "z.txt"), keys(p));
    assertEquals(List.of("dir/", "dir2/", "photos/"), p.commonPrefixes());
    assertTrue(scans < 10, "the 500 keys under dir/ were skipped, not walked: " + scans);
    p = ObjectLister.list(scan, "b", "photos/", "/", new byte[0], 1000);
    assertEquals(List.of("photos/top.jpg"), keys(p));
    assertEquals(List.of("photos/2024/", "photos/2025/"), p.commonPrefixes());
  }

  @Test
  void truncationAcrossCommonPrefixesAndStartAfter() {
    put("b", "a/1", "a/2", "b/1", "c", "d/1");
    ObjectLister.Page p = ObjectLister.list(scan, "b", "", "/", new byte[0], 2);
    assertEquals(List.of("a/", "b/"), p.commonPrefixes());
    assertTrue(p.truncated());
    p = ObjectLister.list(scan, "b", "", "/", p.nextCursor(), 2);
    assertEquals(List.of("c"), keys(p));
    assertEquals(List.of("d/"), p.commonPrefixes());
    assertFalse(p.truncated());
    // v1 marker equal to a common prefix continues after the whole prefix
    p = ObjectLister.list(scan, "b", "", "/", "a/".getBytes(), 10);
    assertEquals(List.of("b/", "d/"), p.commonPrefixes());
    assertEquals(List.of("c"), keys(p));
    p = ObjectLister.list(scan, "b", "", "", "b/1".getBytes(), 10);
    assertEquals(List.of("c", "d/1"), keys(p));
  }

  @Test
  void maxKeysZeroAndEmptyBucket() {
    ObjectLister.Page p = ObjectLister.list(scan, "empty", "", "/", new byte[0], 1000);
    assertTrue(p.contents().isEmpty() && p.commonPrefixes().isEmpty() && !p.truncated());
    put("b", "x");
    p = ObjectLister.list(scan, "b", "", "", new byte[0], 0);
    assertTrue(p.contents().isEmpty());
  }
}

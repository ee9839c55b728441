package io.strata.datanode.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.strata.common.Checksums;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large values in extent segments: stored once, read back, survive a reopen, compacted, corruption caught. */
class ExtentStoreTest {
  static final long SMALL_SEGMENT = 1 << 20;

  @TempDir
  Path dir;

  static byte[] value(int seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static RecordHeader header(long version, byte[] data) {
    return new RecordHeader(version, Checksums.crc32c(data), data.length, false);
  }

  SimulatedDisk open() throws Exception {
    return new SimulatedDisk("x", 0, dir, 1L << 30, new DiskFaults(1), SMALL_SEGMENT);
  }

  /** A disk that packs even one value at a time (these tests write one value per batch). */
  SimulatedDisk openPacking() throws Exception {
    SimulatedDisk d = open();
    d.applier().packEveryBatch();
    return d;
  }

  static byte[] readData(SimulatedDisk d, byte[] key) {
    ByteBuf b = d.readData(key, d.header(key), ByteBufAllocator.DEFAULT);
    try {
      byte[] out = new byte[b.readableBytes()];
      b.getBytes(b.readerIndex(), out);
      return out;
    } finally {
      b.release();
    }
  }

  @Test
  void largeValuesLiveInExtentsAndSurviveReopen() throws Exception {
    byte[] big = value(1, 300_000);
    byte[] small = value(2, 4000);
    try (SimulatedDisk d = open()) {
      ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer(big.length).writeBytes(big);
      assertTrue(d.write(SimulatedDiskTest.key(1), 1, 2, header(3, big), direct.nioBuffer(), false).join());
      direct.release();
      d.write(SimulatedDiskTest.key(2), 1, 2, header(4, small), small, true, false).join();
      assertTrue(d.header(SimulatedDiskTest.key(1)).external(), "a 300 KB value goes to an extent");
      assertFalse(d.header(SimulatedDiskTest.key(1)).packed(), "in a record of its own");
      assertFalse(d.header(SimulatedDiskTest.key(2)).external(), "a value under 4 KiB stays in RocksDB");
      assertNull(d.rawDataInline(SimulatedDiskTest.key(1)), "not also stored in RocksDB");
      assertArrayEquals(big, readData(d, SimulatedDiskTest.key(1)));
    }
    try (SimulatedDisk d = open()) {
      assertArrayEquals(big, d.read(SimulatedDiskTest.key(1)).data());
      assertTrue(d.read(SimulatedDiskTest.key(1)).checksumOk());
      assertArrayEquals(small, readData(d, SimulatedDiskTest.key(2)));
      assertEquals(big.length + small.length, d.usedBytes());
      assertEquals(4, d.summary(1, 2).maxVersion());
    }
  }

  @Test
  void overwrittenSegmentsAreCompactedAndTheNewestDataStays() throws Exception {
    try (SimulatedDisk d = open()) {
      byte[] last = null;
      for (int v = 1; v <= 20; v++) {  // 20 x 200 KB over 1 MiB segments: several sealed segments
        last = value(v, 200_000);
        d.write(SimulatedDiskTest.key(7), 1, 2, header(v, last), last, false, false).join();
      }
      byte[] keep = value(99, 100_000);
      d.write(SimulatedDiskTest.key(8), 1, 2, header(1, keep), keep, false, false).join();
      int before = d.extentSegments();
      assertTrue(before >= 4, "segments written: " + before);
      assertTrue(d.compactExtents() >= 3, "mostly dead segments are reclaimed");
      assertTrue(d.extentSegments() < before);
      assertArrayEquals(last, readData(d, SimulatedDiskTest.key(7)));
      assertArrayEquals(keep, readData(d, SimulatedDiskTest.key(8)));
    }
    try (SimulatedDisk d = open()) {
      assertEquals(20, d.header(SimulatedDiskTest.key(7)).version());
      assertTrue(d.read(SimulatedDiskTest.key(7)).checksumOk());
      assertTrue(d.read(SimulatedDiskTest.key(8)).checksumOk());
    }
  }

  /**
   * A segment of overwritten large records is reclaimed by reading their headers alone: its data
   * is not read at all (it used to be read in full, twice).
   */
  @Test
  void deadLargeRecordsAreNotReadWhenTheirSegmentIsReclaimed() throws Exception {
    try (SimulatedDisk d = new SimulatedDisk("x", 0, dir, 1L << 30, new DiskFaults(1), 4L << 20)) {
      byte[][] last = new byte[3][];
      for (int v = 1; v <= 2; v++) {  // three 1 MiB records per 4 MiB segment: the first segment dies whole
        for (int k = 0; k < last.length; k++) {
          last[k] = value(v * 10 + k, 1 << 20);
          d.write(SimulatedDiskTest.key(40 + k), 1, 2, header(v, last[k]), last[k], false, false).join();
        }
      }
      byte[] tail = value(77, 1 << 20);  // seals the second segment
      d.write(SimulatedDiskTest.key(49), 1, 2, header(1, tail), tail, false, false).join();
      assertEquals(3, d.extentSegments());
      assertEquals(1, d.compactExtents(), "the dead segment goes, the live one stays");
      assertTrue(d.extentScanReadBytes() <= 3 * 4096, "read " + d.extentScanReadBytes() + " bytes: one block per dead record");
      for (int k = 0; k < last.length; k++) {
        assertArrayEquals(last[k], readData(d, SimulatedDiskTest.key(40 + k)));
      }
      assertArrayEquals(tail, readData(d, SimulatedDiskTest.key(49)));
    }
  }

  @Test
  void corruptionAtRestInAnExtentIsDetected() throws Exception {
    byte[] big = value(5, 128 * 1024);
    try (SimulatedDisk d = open()) {
      d.write(SimulatedDiskTest.key(3), 1, 2, header(1, big), big, true, false).join();
      assertTrue(d.corruptAtRest(SimulatedDiskTest.key(3), 4242));
      assertFalse(d.read(SimulatedDiskTest.key(3)).checksumOk());
      ByteBuf b = d.readData(SimulatedDiskTest.key(3), d.header(SimulatedDiskTest.key(3)), ByteBufAllocator.DEFAULT);
      assertTrue(Checksums.crc32c(b.nioBuffer()) != Checksums.crc32c(big));
      b.release();
      // a repair writes the same version again
      d.write(SimulatedDiskTest.key(3), 1, 2, header(1, big), big, false, true).join();
      assertTrue(d.read(SimulatedDiskTest.key(3)).checksumOk());
    }
  }

  @Test
  void deletingAnExtentValueFreesItsSegmentShare() throws Exception {
    try (SimulatedDisk d = open()) {
      for (int i = 0; i < 8; i++) {
        byte[] v = value(i, 200_000);
        d.write(SimulatedDiskTest.key(100 + i), 1, 2, header(1, v), v, false, false).join();
      }
      for (int i = 0; i < 8; i++) {
        d.write(SimulatedDiskTest.key(100 + i), 1, 2, new RecordHeader(2, 0, 0, true), new byte[0], false, false)
            .join();
      }
      byte[] tail = value(50, 200_000);  // moves the active segment past the dead ones
      for (int i = 0; i < 6; i++) {
        d.write(SimulatedDiskTest.key(200 + i), 1, 2, header(1, tail), tail, false, false).join();
      }
      assertTrue(d.compactExtents() >= 1);
      assertEquals(0, d.usedBytes() - 6L * tail.length);
      assertArrayEquals(tail, readData(d, SimulatedDiskTest.key(203)));
    }
  }

  @Test
  void blockSizedValuesArePackedAndSurviveReopen() throws Exception {
    byte[][] values = new byte[40][];
    try (SimulatedDisk d = openPacking()) {
      for (int i = 0; i < values.length; i++) {
        values[i] = value(300 + i, i % 3 == 0 ? 4096 : 4096 + 997 * i);  // 4 KiB and odd sizes up to ~43 KB
        d.write(SimulatedDiskTest.key(300 + i), 1, 2, header(1, values[i]), values[i], i % 5 == 0, false).join();
      }
      for (int i = 0; i < values.length; i++) {
        RecordHeader h = d.header(SimulatedDiskTest.key(300 + i));
        assertTrue(h.packed(), "value " + i + " of " + values[i].length + " bytes is packed");
        assertNull(d.rawDataInline(SimulatedDiskTest.key(300 + i)), "not also stored in RocksDB");
        assertArrayEquals(values[i], readData(d, SimulatedDiskTest.key(300 + i)));
      }
    }
    try (SimulatedDisk d = open()) {
      for (int i = 0; i < values.length; i++) {
        assertTrue(d.read(SimulatedDiskTest.key(300 + i)).checksumOk());
        assertArrayEquals(values[i], readData(d, SimulatedDiskTest.key(300 + i)));
      }
    }
  }

  @Test
  void overwrittenPackedValuesAreCompactedAndTheNewestStay() throws Exception {
    try (SimulatedDisk d = openPacking()) {
      byte[][] last = new byte[64][];
      for (int v = 1; v <= 12; v++) {  // 12 x 64 x 4 KiB over 1 MiB segments: several sealed segments
        for (int k = 0; k < last.length; k++) {
          last[k] = value(v * 1000 + k, 4096);
          d.write(SimulatedDiskTest.key(400 + k), 1, 2, header(v, last[k]), last[k], false, false).join();
        }
      }
      int before = d.extentSegments();
      assertTrue(before >= 3, "segments written: " + before);
      assertTrue(d.compactExtents() >= 2, "mostly dead segments are reclaimed");
      assertTrue(d.extentSegments() < before);
      for (int k = 0; k < last.length; k++) {
        assertTrue(d.header(SimulatedDiskTest.key(400 + k)).packed(), "a moved value is packed again");
        assertArrayEquals(last[k], readData(d, SimulatedDiskTest.key(400 + k)));
      }
      assertEquals(64L * 4096, d.usedBytes());
    }
    try (SimulatedDisk d = open()) {
      assertEquals(12, d.header(SimulatedDiskTest.key(463)).version());
      assertTrue(d.read(SimulatedDiskTest.key(463)).checksumOk());
    }
  }

  /**
   * Segments larger than a scan window, holding packs and records of every size (one larger
   * than a window): compaction reads them window by window and moves every live value intact.
   */
  @Test
  void compactionMovesLiveValuesOfEverySizeAcrossScanWindows() throws Exception {
    long segment = 3L * ExtentStore.SCAN_WINDOW_BYTES;
    int[] sizes = {4096, 8192, 200_000, ExtentStore.SCAN_WINDOW_BYTES + 12_345, 4096, 60_000};
    byte[][] last = new byte[24][];
    try (SimulatedDisk d = new SimulatedDisk("x", 0, dir, 1L << 30, new DiskFaults(1), segment)) {
      d.applier().packEveryBatch();
      for (int v = 1; v <= 4; v++) {
        for (int k = 0; k < last.length; k++) {
          if (v > 1 && (k % 4 == 0 || k == 21)) {
            continue;  // these keep their first version: live data, one record larger than a window, in old segments
          }
          last[k] = value(v * 100 + k, sizes[k % sizes.length]);
          d.write(SimulatedDiskTest.key(500 + k), 1, 2, header(v, last[k]), last[k], false, false).join();
        }
      }
      int before = d.extentSegments();
      assertTrue(before >= 3, "segments written: " + before);
      assertTrue(d.compactExtents() >= 1, "mostly dead segments are reclaimed");
      assertTrue(d.extentSegments() < before);
      for (int k = 0; k < last.length; k++) {
        assertArrayEquals(last[k], readData(d, SimulatedDiskTest.key(500 + k)), "value " + k);
      }
    }
    try (SimulatedDisk d = new SimulatedDisk("x", 0, dir, 1L << 30, new DiskFaults(1), segment)) {
      for (int k = 0; k < last.length; k++) {
        assertTrue(d.read(SimulatedDiskTest.key(500 + k)).checksumOk());
        assertArrayEquals(last[k], readData(d, SimulatedDiskTest.key(500 + k)), "value " + k + " after a reopen");
      }
      // Segments of the previous run: the deaths before the reopen were not seen, the index decides.
      for (int v = 5; v <= 6; v++) {
        for (int k = 0; k < last.length; k++) {
          if (k % 4 != 0 && k != 21) {
            last[k] = value(v * 100 + k, sizes[k % sizes.length]);
            d.write(SimulatedDiskTest.key(500 + k), 1, 2, header(v, last[k]), last[k], false, false).join();
          }
        }
      }
      int before = d.extentSegments();
      assertTrue(d.compactExtents() >= 1, "segments written before the reopen are reclaimed too");
      assertTrue(d.extentSegments() < before);
      for (int k = 0; k < last.length; k++) {
        assertArrayEquals(last[k], readData(d, SimulatedDiskTest.key(500 + k)), "value " + k + " after compacting old segments");
      }
    }
  }

  /** Values applied in one batch lie block after block in one pack, and read back as one run. */
  @Test
  void oneBatchOfBlocksReadsBackAsOneRun() throws Exception {
    try (SimulatedDisk d = openPacking()) {
      byte[][] v = new byte[5][];
      java.util.List<DiskWriter.Op> ops = new java.util.ArrayList<>();
      for (int i = 0; i < v.length; i++) {
        v[i] = value(700 + i, 4096);
        ops.add(new DiskWriter.Op(SimulatedDiskTest.key(700 + i), 1, 2, header(1, v[i]), ByteBuffer.wrap(v[i]), false));
      }
      d.submitAll(ops);
      ops.forEach(op -> op.done().join());
      RecordHeader[] h = new RecordHeader[v.length];
      for (int i = 0; i < v.length; i++) {
        h[i] = d.header(SimulatedDiskTest.key(700 + i));
        assertTrue(i == 0 || SimulatedDisk.followsInPack(h[i - 1], h[i]), "entry " + i + " follows the one before");
      }
      ByteBuf run = d.readPackedRun(h[0], v.length * 4096, ByteBufAllocator.DEFAULT);
      try {
        for (int i = 0; i < v.length; i++) {
          byte[] got = new byte[4096];
          run.getBytes(run.readerIndex() + i * 4096, got);
          assertArrayEquals(v[i], got, "entry " + i);
        }
      } finally {
        run.release();
      }
      byte[] later = value(799, 4096);
      d.write(SimulatedDiskTest.key(799), 1, 2, header(1, later), later, false, false).join();
      assertFalse(SimulatedDisk.followsInPack(h[v.length - 1], d.header(SimulatedDiskTest.key(799))),
          "a later pack starts with its own header block");
    }
  }

  @Test
  void corruptionAtRestInAPackIsDetected() throws Exception {
    byte[] v = value(6, 8192);
    try (SimulatedDisk d = openPacking()) {
      d.write(SimulatedDiskTest.key(9), 1, 2, header(1, v), v, true, false).join();
      assertTrue(readData(d, SimulatedDiskTest.key(9)).length == v.length);  // cached in the page cache first
      assertTrue(d.corruptAtRest(SimulatedDiskTest.key(9), 777));
      assertFalse(d.read(SimulatedDiskTest.key(9)).checksumOk(), "the flipped bit is seen through the page cache");
      d.write(SimulatedDiskTest.key(9), 1, 2, header(1, v), v, false, true).join();
      assertTrue(d.read(SimulatedDiskTest.key(9)).checksumOk());
      assertArrayEquals(v, readData(d, SimulatedDiskTest.key(9)));
    }
  }

  @Test
  void pointersRoundTripThroughTheHeader() {
    ExtentStore.Pointer packed = new ExtentStore.Pointer(3, 65_535, true);
    assertEquals(packed, ExtentStore.Pointer.decode(packed.encode()));
    assertTrue(new RecordHeader(1, 2, 4096, false).at(packed).packed());
    ExtentStore.Pointer p = new ExtentStore.Pointer(17, 123_456);
    RecordHeader h = new RecordHeader(9, 77, 300_000, false).at(p);
    RecordHeader back = RecordHeader.decode(h.encode());
    assertEquals(h, back);
    assertEquals(p, back.pointer());
    assertEquals(RecordHeader.BYTES, new RecordHeader(1, 2, 3, false).encode().length, "inline headers keep 17 bytes");
    assertEquals(ByteBuffer.wrap(h.encode()).getLong(), 9);
  }
}

package io.strata.datanode.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.strata.common.Checksums;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedDiskTest {
  @TempDir
  Path dir;

  static byte[] key(int i) {
    return ChunkKeys.encode(ChunkId.newBuilder().setPool(1).setPg(2).setObjectId(ByteString.copyFromUtf8("o"))
        .setIndex(i).build());
  }

  static RecordHeader header(long version, byte[] data) {
    return new RecordHeader(version, Checksums.crc32c(data), data.length, false);
  }

  @Test
  void keepsTheNewestVersionWhateverTheArrivalOrder() throws Exception {
    try (SimulatedDisk d = new SimulatedDisk("t", 0, dir, 1 << 20, new DiskFaults(1))) {
      byte[] v2 = "two".getBytes();
      byte[] v1 = "one".getBytes();
      assertTrue(d.write(key(1), 1, 2, header(2, v2), v2, false, false).join());
      assertFalse(d.write(key(1), 1, 2, header(1, v1), v1, false, false).join(), "older version ignored");
      assertFalse(d.write(key(1), 1, 2, header(2, v1), v1, false, false).join(), "same version ignored");
      assertArrayEquals(v2, d.read(key(1)).data());
      assertEquals(2, d.summary(1, 2).maxVersion());
      assertEquals(1, d.summary(1, 2).count());
    }
  }

  @Test
  void survivesReopenWithSummaryAndUsedBytes() throws Exception {
    byte[] data = new byte[1000];
    try (SimulatedDisk d = new SimulatedDisk("t", 0, dir, 1 << 20, new DiskFaults(1))) {
      d.write(key(1), 1, 2, header(5, data), data, true, false).join();
    }
    try (SimulatedDisk d = new SimulatedDisk("t", 0, dir, 1 << 20, new DiskFaults(1))) {
      assertEquals(1000, d.usedBytes());
      assertEquals(5, d.summary(1, 2).maxVersion());
      assertTrue(d.read(key(1)).checksumOk());
    }
  }

  @Test
  void fullDiskRefusesWritesCleanly() throws Exception {
    try (SimulatedDisk d = new SimulatedDisk("t", 0, dir, 1500, new DiskFaults(1))) {
      byte[] data = new byte[1000];
      d.write(key(1), 1, 2, header(1, data), data, false, false).join();
      CompletionException e = assertThrows(CompletionException.class,
          () -> d.write(key(2), 1, 2, header(2, data), data, false, false).join());
      assertEquals(ChunkStatus.CHUNK_DISK_FULL, ((DiskException) e.getCause()).status());
      assertNull(d.header(key(2)));
      byte[] smaller = new byte[500];
      assertTrue(d.write(key(1), 1, 2, header(3, smaller), smaller, false, false).join(), "overwrite that shrinks");
    }
  }

  @Test
  void failStopAndIoErrorsAreReportedNotSwallowed() throws Exception {
    DiskFaults f = new DiskFaults(1);
    try (SimulatedDisk d = new SimulatedDisk("t", 0, dir, 1 << 20, f)) {
      byte[] data = new byte[10];
      d.write(key(1), 1, 2, header(1, data), data, false, false).join();
      f.readErrors(true);
      assertThrows(DiskException.class, () -> d.read(key(1)));
      f.heal();
      f.failStop();
      assertThrows(CompletionException.class, () -> d.write(key(2), 1, 2, header(2, data), data, false, false).join());
      assertEquals(io.strata.proto.DiskState.DISK_FAILED, d.info().getState());
      f.heal();
      assertTrue(d.read(key(1)).checksumOk());
    }
  }

  @Test
  void bitFlipIsCaughtByTheChecksum() throws Exception {
    DiskFaults f = new DiskFaults(1);
    try (SimulatedDisk d = new SimulatedDisk("t", 0, dir, 1 << 20, f)) {
      byte[] data = new byte[4096];
      d.write(key(1), 1, 2, header(1, data), data, false, false).join();
      f.bitFlipOnRead(1.0);
      assertFalse(d.read(key(1)).checksumOk());
      f.heal();
      f.bandwidth(1 << 30);
      assertEquals("bandwidth=1073741824B/s", f.describe());
      assertTrue(d.read(key(1)).checksumOk(), "shaping slows, never corrupts");
      f.heal();
      assertTrue(d.corruptAtRest(key(1), 99));
      assertFalse(d.read(key(1)).checksumOk());
      assertTrue(Files.exists(dir));
    }
  }
}

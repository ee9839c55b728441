package io.strata.datanode.disk;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The extent blocks whose record this process saw superseded or deleted, per segment, so that
 * compaction passes over them without an index lookup: those lookups were half of compaction's
 * CPU under sustained random writes (docs/benchmarks.md, 2026-12-07 19:00).
 *
 * <p>Only committed batches mark blocks. Within a process segment numbers only grow and a
 * segment is only appended to, so a block once dead stays dead until its segment is deleted.
 * Segments numbered from {@code firstFresh} on were written by this process alone: there an
 * unmarked block holds a live record (or one whose batch never committed, which the applier's
 * relocation check refuses). In older segments an unmarked block says nothing: its record may
 * have died before the restart.
 */
final class DeadBlocks {
  private final Map<Integer, AtomicLongArray> bySegment = new ConcurrentHashMap<>();
  private final int words;
  private final int firstFresh;

  DeadBlocks(long segmentBytes, int firstFresh) {
    this.words = (int) ((segmentBytes / ExtentStore.BLOCK + 63) / 64);
    this.firstFresh = firstFresh;
  }

  void mark(ExtentStore.Pointer p) {
    int block = p.block();
    if (block / 64 < words) {  // a block past a segment's nominal size stays unknown
      long bit = 1L << (block % 64);
      bySegment.computeIfAbsent(p.segment(), s -> new AtomicLongArray(words)).accumulateAndGet(block / 64, bit,
          (a, b) -> a | b);
    }
  }

  boolean dead(ExtentStore.Pointer p) {
    AtomicLongArray a = bySegment.get(p.segment());
    int block = p.block();
    return a != null && block / 64 < words && (a.get(block / 64) & (1L << (block % 64))) != 0;
  }

  /** Whether every record of {@code segment} was written, and every death in it seen, by this process. */
  boolean fresh(int segment) {
    return segment >= firstFresh;
  }

  void forget(int segment) {
    bySegment.remove(segment);
  }
}

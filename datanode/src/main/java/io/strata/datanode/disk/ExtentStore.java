package io.strata.datanode.disk;

import com.sun.nio.file.ExtendedOpenOption;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.strata.common.Checksums;
import io.strata.transport.EventLoops;
import io.strata.transport.LargeBuffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Large chunk values of one disk, outside RocksDB: append-only segment files written and read
 * with O_DIRECT, so a 4 MiB chunk costs one DMA write instead of two page-cache copies (WAL, then
 * blob file) and reads do not evict the page cache. RocksDB keeps only the pointer (in the
 * record header). Each record is self-describing, for compaction and for inspection:
 *
 * <pre>u32 magic | u64 version | u32 dataLength | u32 dataCrc32c | u16 keyLength | u16 0 |
 * u32 crc32c of the preceding 24 bytes | u32 0 | key | data | zero padding to 4 KiB</pre>
 *
 * Appends happen under the disk writer's apply lock only; reads from any thread. Falls back to
 * buffered I/O where the file system refuses O_DIRECT.
 */
final class ExtentStore implements AutoCloseable {
  static final int BLOCK = 4096;
  static final int HEADER_BYTES = 32;
  static final int MAGIC = 0x53545845;
  static final long DEFAULT_SEGMENT_BYTES = 256L << 20;
  /** Values at least this large are stored here; smaller ones inline in RocksDB. */
  static final int MIN_VALUE_BYTES = 64 << 10;

  /** Where one record lives: segment number and block index within it. */
  record Pointer(int segment, int block) {
    static final long NONE = -1;

    long encode() {
      return ((long) segment << 32) | (block & 0xffffffffL);
    }

    static Pointer decode(long v) {
      return v == NONE ? null : new Pointer((int) (v >>> 32), (int) v);
    }

    long offset() {
      return (long) block * BLOCK;
    }
  }

  /** One record as found by a segment scan. */
  record Scanned(Pointer at, byte[] key, long version, int length, int crc32c) {}

  private final Path dir;
  private final long segmentBytes;
  private final boolean direct;
  private final Map<Integer, FileChannel> open = new ConcurrentHashMap<>();
  private final Set<Integer> unsynced = ConcurrentHashMap.newKeySet();
  private int active;
  private long tail;
  /** Enough for a 4 MiB chunk's record; a larger record grows it. */
  private static final int APPEND_BUFFER_BYTES = (4 << 20) + (64 << 10);
  private ByteBuf appendBuffer;

  ExtentStore(Path dir, long segmentBytes) throws IOException {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    Files.createDirectories(dir);
    this.direct = supportsDirect(dir);
    this.active = segments().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;  // never append to a torn tail
    this.tail = 0;
  }

  private static boolean supportsDirect(Path dir) {
    Path probe = dir.resolve("direct-probe");
    try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        ExtendedOpenOption.DIRECT)) {
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException e) {
        // harmless leftover
      }
    }
  }

  static int recordBytes(int keyLength, int dataLength) {
    return roundUp(HEADER_BYTES + keyLength + dataLength);
  }

  static int roundUp(long n) {
    return (int) ((n + BLOCK - 1) / BLOCK * BLOCK);
  }

  int activeSegment() {
    return active;
  }

  /** Segment numbers present on disk, in order. */
  List<Integer> segments() throws IOException {
    List<Integer> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ext-"))
          .forEach(n -> out.add(Integer.parseInt(n.substring(4))));
    }
    out.sort(null);
    return out;
  }

  long segmentSize(int segment) throws IOException {
    Path p = path(segment);
    return Files.exists(p) ? Files.size(p) : 0;
  }

  private Path path(int segment) {
    return dir.resolve(String.format("ext-%08d", segment));
  }

  private FileChannel channel(int segment, boolean create) throws IOException {
    FileChannel ch = open.get(segment);
    if (ch != null) {
      return ch;
    }
    synchronized (open) {
      ch = open.get(segment);
      if (ch == null) {
        Set<OpenOption> opts = new HashSet<>(List.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        if (create) {
          opts.add(StandardOpenOption.CREATE);
        }
        if (direct) {
          opts.add(ExtendedOpenOption.DIRECT);
        }
        ch = FileChannel.open(path(segment), opts);
        open.put(segment, ch);
      }
      return ch;
    }
  }

  /** Appends one record (apply lock held); returns where it went. */
  Pointer append(byte[] key, long version, int crc32c, ByteBuffer data, ByteBufAllocator alloc) throws IOException {
    int size = recordBytes(key.length, data.remaining());
    if (tail > 0 && tail + size > segmentBytes) {
      active++;
      tail = 0;
    }
    ByteBuf buf = appendBuffer(size + BLOCK, alloc);
    {
      ByteBuffer b = aligned(buf, size);
      b.putInt(MAGIC).putLong(version).putInt(data.remaining()).putInt(crc32c).putShort((short) key.length)
          .putShort((short) 0);
      b.putInt(Checksums.crc32c(b.duplicate().flip())).putInt(0).put(key).put(data.duplicate());
      while (b.hasRemaining()) {
        b.put((byte) 0);
      }
      b.flip();
      FileChannel ch = channel(active, true);
      long at = tail;
      while (b.hasRemaining()) {
        ch.write(b, at + b.position());
      }
      unsynced.add(active);
      tail += size;
      return new Pointer(active, (int) (at / BLOCK));
    }
  }

  /**
   * The buffer appends assemble their record in, kept from one append to the next (appends run
   * one at a time, under the apply lock): a fresh 4 MiB direct buffer per chunk was zeroed by the
   * JVM and faulted in by the kernel every time.
   */
  private ByteBuf appendBuffer(int capacity, ByteBufAllocator alloc) {
    if (appendBuffer == null || appendBuffer.capacity() < capacity) {
      if (appendBuffer != null) {
        appendBuffer.release();
      }
      appendBuffer = alloc.directBuffer(Math.max(capacity, roundUp(APPEND_BUFFER_BYTES) + BLOCK));
    }
    return appendBuffer;
  }

  /**
   * Reads the data of the record at {@code p}, checking that it is the record of {@code key} at
   * {@code version}; returns a buffer of the data the caller releases. The data's CRC is the
   * caller's to verify.
   */
  ByteBuf read(Pointer p, byte[] key, long version, int length, ByteBufAllocator alloc) throws IOException {
    int size = recordBytes(key.length, length);
    ByteBuf buf = size + BLOCK >= LargeBuffers.THRESHOLD ? LargeBuffers.directBuffer(size + BLOCK)
        : alloc.directBuffer(size + BLOCK);
    try {
      ByteBuffer b = aligned(buf, size);
      int start = b.position();
      readFully(channel(p.segment(), false), b, p.offset());
      b.position(start);
      String bad = checkHeader(b.duplicate(), key, version, length);
      if (bad != null) {
        throw new IOException("extent " + p + ": " + bad);
      }
      return buf.retainedSlice(alignedOffset(buf) + HEADER_BYTES + key.length, length);
    } finally {
      buf.release();
    }
  }

  private static String checkHeader(ByteBuffer b, byte[] key, long version, int length) {
    ByteBuffer fixed = b.duplicate().limit(b.position() + 24);
    int crc = Checksums.crc32c(fixed);
    if (b.getInt() != MAGIC) {
      return "no record here";
    }
    long v = b.getLong();
    int len = b.getInt();
    b.getInt();
    int keyLen = b.getShort() & 0xffff;
    b.getShort();
    if (b.getInt() != crc) {
      return "record header checksum mismatch";
    }
    b.getInt();
    if (v != version || len != length || keyLen != key.length) {
      return "holds version " + v + " of " + len + " bytes, not " + version + " of " + length;
    }
    for (byte k : key) {
      if (b.get() != k) {
        return "holds another key";
      }
    }
    return null;
  }

  /** The records of a segment in order (for compaction); stops at the first block that is not one. */
  List<Scanned> scan(int segment) throws IOException {
    List<Scanned> out = new ArrayList<>();
    FileChannel ch = channel(segment, false);
    long size = ch.size();
    ByteBuf buf = EventLoops.ALLOCATOR.directBuffer(2 * BLOCK);
    try {
      for (long at = 0; at + BLOCK <= size; ) {
        ByteBuffer b = aligned(buf, BLOCK);
        int start = b.position();
        readFully(ch, b, at);
        b.position(start);
        ByteBuffer fixed = b.duplicate().limit(start + 24);
        if (b.getInt(start) != MAGIC || Checksums.crc32c(fixed) != b.getInt(start + 24)) {
          break;
        }
        long version = b.getLong(start + 4);
        int length = b.getInt(start + 12);
        int crc = b.getInt(start + 16);
        int keyLen = b.getShort(start + 20) & 0xffff;
        if (HEADER_BYTES + keyLen > BLOCK || length < 0) {
          break;
        }
        byte[] key = new byte[keyLen];
        b.position(start + HEADER_BYTES);
        b.get(key);
        out.add(new Scanned(new Pointer(segment, (int) (at / BLOCK)), key, version, length, crc));
        at += recordBytes(keyLen, length);
      }
    } finally {
      buf.release();
    }
    return out;
  }

  /** fdatasync of every segment written since the last call (before the WAL sync that points at them). */
  void sync() throws IOException {
    for (Integer s : new ArrayList<>(unsynced)) {
      unsynced.remove(s);
      FileChannel ch = open.get(s);
      if (ch != null) {
        ch.force(false);
      }
    }
  }

  /** Removes a whole segment (after compaction moved its live records and that was synced). */
  void delete(int segment) throws IOException {
    FileChannel ch = open.remove(segment);
    if (ch != null) {
      ch.close();
    }
    unsynced.remove(segment);
    Files.deleteIfExists(path(segment));
  }

  /** Flips one bit of a record's data in place (fault injection for tests). */
  void corrupt(Pointer p, byte[] key, int length, int bit) throws IOException {
    int size = recordBytes(key.length, length);
    ByteBuf buf = EventLoops.ALLOCATOR.directBuffer(size + BLOCK);
    try {
      ByteBuffer b = aligned(buf, size);
      int start = b.position();
      FileChannel ch = channel(p.segment(), false);
      readFully(ch, b, p.offset());
      int at = start + HEADER_BYTES + key.length + Math.floorMod(bit, length * 8) / 8;
      b.put(at, (byte) (b.get(at) ^ (1 << (Math.floorMod(bit, 8)))));
      b.position(start);
      while (b.hasRemaining()) {
        ch.write(b, p.offset() + b.position() - start);
      }
      ch.force(false);
    } finally {
      buf.release();
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    int start = b.position();
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position() - start) < 0) {
        throw new IOException("extent past the end of its segment");
      }
    }
  }

  /** An O_DIRECT-aligned window of {@code size} bytes inside {@code buf} (which has BLOCK spare). */
  private static ByteBuffer aligned(ByteBuf buf, int size) {
    return buf.nioBuffer(alignedOffset(buf), size);
  }

  private static int alignedOffset(ByteBuf buf) {
    return (BLOCK - buf.nioBuffer(0, 1).alignmentOffset(0, BLOCK)) % BLOCK;
  }

  boolean direct() {
    return direct;
  }

  @Override
  public void close() {
    if (appendBuffer != null) {
      appendBuffer.release();
      appendBuffer = null;
    }
    for (FileChannel ch : open.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing: nothing left to protect
      }
    }
    open.clear();
  }
}

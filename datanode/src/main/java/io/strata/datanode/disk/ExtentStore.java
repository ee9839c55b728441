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
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Large chunk values of one disk, outside RocksDB: append-only segment files written and read
 * with O_DIRECT, so a 4 MiB chunk costs one DMA write instead of two page-cache copies (WAL, then
 * blob file); they are read through the page cache ({@link #CACHED_RECORD_READS}). RocksDB keeps only the pointer (in the
 * record header). Each record is self-describing, for compaction and for inspection:
 *
 * <pre>u32 magic | u64 version | u32 dataLength | u32 dataCrc32c | u16 keyLength | u16 0 |
 * u32 crc32c of the preceding 24 bytes | u32 0 | key | data | zero padding to 4 KiB</pre>
 *
 * Values from 4 KiB up to {@link #MIN_VALUE_BYTES} (block-gateway blocks, allocation-map pages,
 * small files) are <em>packed</em>: all of them that one write batch stores go into one pack, a
 * header area describing every entry followed by each entry's data on its own 4 KiB blocks:
 *
 * <pre>u32 PACK_MAGIC | u32 count | u32 headerBytes | u32 crc32c of the entries |
 * count x (u64 version | u32 dataLength | u32 dataCrc32c | u16 keyLength | key) | zero padding to 4 KiB |
 * entry data, each padded to 4 KiB</pre>
 *
 * A packed pointer points at an entry's data, not at a header, so a 4 KiB value takes 4 KiB plus
 * its share of one header block per batch; it is read without a header and checked by its CRC.
 * Packs are written through the page cache (a buffered write costs about what the RocksDB WAL
 * write it replaces cost, and recently written blocks then read from memory); the segment's
 * fdatasync before the WAL sync makes them durable, as for O_DIRECT records.
 * Before packs these values were BlobDB blobs: written to the WAL, to a blob file at flush, and
 * again by blob garbage collection, which was 40% of the CPU of a sequential NBD write
 * (docs/benchmarks.md, 2026-12-07).
 *
 * Appends happen under the disk writer's apply lock only; reads from any thread. Packed data is
 * written and read through a buffered channel, records written through an O_DIRECT one; both only ever
 * touch whole 4 KiB blocks of an append-only file, so no page is written both ways. Falls back
 * to buffered I/O where the file system refuses O_DIRECT.
 */
final class ExtentStore implements AutoCloseable {
  static final int BLOCK = 4096;
  static final int HEADER_BYTES = 32;
  static final int MAGIC = 0x53545845;
  static final int PACK_MAGIC = 0x5354504b;
  static final int PACK_FIXED_BYTES = 16;
  static final int PACK_ENTRY_FIXED_BYTES = 18;
  /** Values at least this large (and below {@link #MIN_VALUE_BYTES}) are packed. */
  static final int MIN_PACKED_BYTES = 4096;
  /** One pack is at most this large; a batch with more is written as several. */
  static final int MAX_PACK_BYTES = 8 << 20;
  static final long DEFAULT_SEGMENT_BYTES = 256L << 20;
  /** Values at least this large are stored here; smaller ones inline in RocksDB. */
  static final int MIN_VALUE_BYTES = 64 << 10;

  /**
   * Where one record lives: segment number and block index within it; {@code packed} when the
   * block is a packed entry's data rather than a record header (the top bit of the block half).
   */
  record Pointer(int segment, int block, boolean packed) {
    static final long NONE = -1;
    private static final long PACKED_BIT = 0x80000000L;

    Pointer(int segment, int block) {
      this(segment, block, false);
    }

    long encode() {
      return ((long) segment << 32) | (block & 0x7fffffffL) | (packed ? PACKED_BIT : 0);
    }

    static Pointer decode(long v) {
      return v == NONE ? null : new Pointer((int) (v >>> 32), (int) (v & 0x7fffffffL), (v & PACKED_BIT) != 0);
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
  /**
   * Records are read through the page cache (records are still written with O_DIRECT): a hot
   * object is then served from memory, as by any file server, instead of from the device on every
   * GET. 16 MiB S3 GETs ran ~22% faster (docs/benchmarks.md, 2026-12-07 16:20). A direct write
   * invalidates cached pages of its range, and appends only go past the segment's end, so a cached
   * page is never stale. {@code -Dstrata.extent.cachedReads=false} reads with O_DIRECT again.
   */
  static final boolean CACHED_RECORD_READS = Boolean.parseBoolean(System.getProperty("strata.extent.cachedReads", "true"));
  private final Map<Integer, FileChannel> open = new ConcurrentHashMap<>();
  /** Buffered (page-cache) channels for reading packed data. */
  private final Map<Integer, FileChannel> cached = new ConcurrentHashMap<>();
  private final Set<Integer> unsynced = ConcurrentHashMap.newKeySet();
  private int active;
  private long tail;
  /** Enough for a 4 MiB chunk's record; a larger record grows it. */
  private static final int APPEND_BUFFER_BYTES = (4 << 20) + (64 << 10);
  private ByteBuf appendBuffer;
  /** Bytes the compaction scans read from the device. */
  private final LongAdder scanReadBytes = new LongAdder();

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

  /** What a record takes in its segment, for the live-bytes accounting that drives compaction. */
  static long footprint(Pointer p, int keyLength, int dataLength) {
    return p.packed() ? roundUp(dataLength) : recordBytes(keyLength, dataLength);
  }

  static int recordBytes(int keyLength, int dataLength) {
    return roundUp(HEADER_BYTES + keyLength + dataLength);
  }

  static int roundUp(long n) {
    return (int) ((n + BLOCK - 1) / BLOCK * BLOCK);
  }

  long segmentBytes() {
    return segmentBytes;
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

  private FileChannel cachedChannel(int segment) throws IOException {
    FileChannel ch = cached.get(segment);
    if (ch != null) {
      return ch;
    }
    synchronized (cached) {
      ch = cached.get(segment);
      if (ch == null) {
        ch = FileChannel.open(path(segment), StandardOpenOption.READ, StandardOpenOption.WRITE);
        cached.put(segment, ch);
      }
      return ch;
    }
  }

  /** One value to pack: what the index will say about it. */
  record PackItem(byte[] key, long version, int crc32c, ByteBuffer data) {}

  /**
   * Appends the items as packs (apply lock held): one write per pack of up to
   * {@link #MAX_PACK_BYTES}; returns each item's packed pointer, in order.
   */
  List<Pointer> appendPacked(List<PackItem> items, ByteBufAllocator alloc) throws IOException {
    List<Pointer> out = new ArrayList<>(items.size());
    int from = 0;
    while (from < items.size()) {
      int header = PACK_FIXED_BYTES;
      long data = 0;
      int to = from;
      while (to < items.size()) {
        PackItem it = items.get(to);
        int h = header + PACK_ENTRY_FIXED_BYTES + it.key().length;
        long d = data + roundUp(it.data().remaining());
        if (to > from && roundUp(h) + d > Math.min(MAX_PACK_BYTES, segmentBytes)) {
          break;
        }
        header = h;
        data = d;
        to++;
      }
      out.addAll(writePack(items.subList(from, to), roundUp(header), (int) data, alloc));
      from = to;
    }
    return out;
  }

  private List<Pointer> writePack(List<PackItem> items, int headerBytes, int dataBytes, ByteBufAllocator alloc)
      throws IOException {
    int size = headerBytes + dataBytes;
    if (tail > 0 && tail + size > segmentBytes) {
      active++;
      tail = 0;
    }
    ByteBuf buf = appendBuffer(size + BLOCK, alloc);
    ByteBuffer b = aligned(buf, size);
    int start = b.position();
    b.putInt(PACK_MAGIC).putInt(items.size()).putInt(headerBytes).putInt(0);
    for (PackItem it : items) {
      b.putLong(it.version()).putInt(it.data().remaining()).putInt(it.crc32c()).putShort((short) it.key().length)
          .put(it.key());
    }
    b.putInt(start + 12, Checksums.crc32c(b.duplicate().position(start + PACK_FIXED_BYTES).limit(b.position())));
    zeroTo(b, start + headerBytes);
    List<Pointer> out = new ArrayList<>(items.size());
    int block = (int) (tail / BLOCK) + headerBytes / BLOCK;
    for (PackItem it : items) {
      int n = it.data().remaining();
      b.put(it.data().duplicate());
      zeroTo(b, b.position() + (roundUp(n) - n));
      out.add(new Pointer(active, block, true));
      block += roundUp(n) / BLOCK;
    }
    b.position(start);
    channel(active, true);  // creates the segment; its O_DIRECT channel is the one sync() forces
    FileChannel ch = cachedChannel(active);
    long at = tail;
    while (b.hasRemaining()) {
      ch.write(b, at + b.position() - start);
    }
    unsynced.add(active);
    tail += size;
    return out;
  }

  private static void zeroTo(ByteBuffer b, int end) {
    while (b.position() < end && b.position() % 8 != 0) {
      b.put((byte) 0);
    }
    while (b.position() + 8 <= end) {
      b.putLong(0);
    }
    while (b.position() < end) {
      b.put((byte) 0);
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
    if (p.packed()) {
      return readPacked(p, length, alloc);
    }
    int size = recordBytes(key.length, length);
    ByteBuf buf = size + BLOCK >= LargeBuffers.THRESHOLD ? LargeBuffers.directBuffer(size + BLOCK)
        : alloc.directBuffer(size + BLOCK);
    try {
      ByteBuffer b = aligned(buf, size);
      int start = b.position();
      readFully(CACHED_RECORD_READS ? cachedChannel(p.segment()) : channel(p.segment(), false), b, p.offset());
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

  /**
   * {@code bytes} of packed data from {@code first} on, in one read from the page cache: the
   * data of consecutive packed entries (a run of blocks written in one pack). The caller releases it.
   */
  ByteBuf readPackedRun(Pointer first, int bytes, ByteBufAllocator alloc) throws IOException {
    ByteBuf buf = bytes >= LargeBuffers.THRESHOLD ? LargeBuffers.directBuffer(bytes) : alloc.directBuffer(bytes);
    try {
      readFully(cachedChannel(first.segment()), buf.nioBuffer(0, bytes), first.offset());
      buf.writerIndex(bytes);
      return buf;
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  /** A packed entry's data, from the page cache; its CRC is the caller's to check. */
  private ByteBuf readPacked(Pointer p, int length, ByteBufAllocator alloc) throws IOException {
    ByteBuf buf = alloc.directBuffer(Math.max(1, length));
    try {
      ByteBuffer b = buf.nioBuffer(0, length);
      readFully(cachedChannel(p.segment()), b, p.offset());
      buf.writerIndex(length);
      return buf;
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e;
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

  /** What a segment scan hands over for each record: where it is and its data. */
  interface ScanConsumer {
    /**
     * Whether the scan should read this record's data and hand it to {@link #accept}: a record
     * the consumer knows to be dead is passed over unread.
     */
    boolean wants(Scanned record) throws IOException;

    /**
     * {@code data} is a slice of the scan's read window, valid during this call only: retain it
     * to keep it. Its CRC is not checked here.
     */
    void accept(Scanned record, ByteBuf data) throws IOException;
  }

  /** A scan reads its segment in windows of this many bytes (a larger record gets a larger one). */
  static final int SCAN_WINDOW_BYTES = 4 << 20;

  /**
   * Streams the records of a segment in order, each the consumer wants with its data (for
   * compaction); stops at the first block that is not one. The segment is read sequentially in
   * {@link #SCAN_WINDOW_BYTES} windows: reading each pack header on its own (two 4 KiB O_DIRECT
   * reads per pack) and then each live record again made compaction the largest consumer of CPU
   * under sustained random writes (docs/benchmarks.md, 2026-12-07 19:00). A large record's header
   * is read alone first, and its data only if the consumer wants it: a segment of overwritten 4 MiB
   * chunks is reclaimed by reading one block per chunk, not the whole segment (twice, as before:
   * the header's window and then the record's).
   */
  void scan(int segment, ScanConsumer each) throws IOException {
    try (ScanWindow w = new ScanWindow(channel(segment, false), scanReadBytes)) {
      for (long at = 0; at + BLOCK <= w.size; ) {
        ByteBuf first = w.probe(at);
        int magic = first.getInt(first.readerIndex());
        long next = magic == PACK_MAGIC ? scanPack(w, segment, at, first.getInt(first.readerIndex() + 8), each)
            : magic == MAGIC ? scanRecord(w, segment, at, each) : -1;
        if (next < 0) {
          return;
        }
        at = next;
      }
    }
  }

  /** The record at {@code at}; returns where the next one starts, or -1 if this is not one. */
  private static long scanRecord(ScanWindow w, int segment, long at, ScanConsumer each) throws IOException {
    ByteBuffer b = w.bytes(at, BLOCK).nioBuffer();
    if (Checksums.crc32c(b.duplicate().limit(b.position() + 24)) != b.getInt(b.position() + 24)) {
      return -1;
    }
    int start = b.position();
    long version = b.getLong(start + 4);
    int length = b.getInt(start + 12);
    int crc = b.getInt(start + 16);
    int keyLen = b.getShort(start + 20) & 0xffff;
    if (HEADER_BYTES + keyLen > BLOCK || length < 0 || at + recordBytes(keyLen, length) > w.size) {
      return -1;
    }
    byte[] key = new byte[keyLen];
    b.position(start + HEADER_BYTES).get(key);
    Scanned r = new Scanned(new Pointer(segment, (int) (at / BLOCK)), key, version, length, crc);
    if (each.wants(r)) {
      ByteBuf record = w.bytes(at, recordBytes(keyLen, length));
      each.accept(r, record.slice(record.readerIndex() + HEADER_BYTES + keyLen, length));
    }
    return at + recordBytes(keyLen, length);
  }

  /**
   * The entries of the pack at {@code at}; returns where the next record starts, or -1 when the
   * pack is torn or not one (the scan stops there, as at any block that is not a record).
   */
  private static long scanPack(ScanWindow w, int segment, long at, int headerBytes, ScanConsumer each)
      throws IOException {
    if (headerBytes < BLOCK || headerBytes % BLOCK != 0 || headerBytes > MAX_PACK_BYTES || at + headerBytes > w.size) {
      return -1;
    }
    ByteBuffer b = w.bytes(at, headerBytes).nioBuffer();
    int start = b.position();
    int count = b.getInt(start + 4);
    int crc = b.getInt(start + 12);
    if (count <= 0) {
      return -1;
    }
    b.position(start + PACK_FIXED_BYTES);
    List<Scanned> entries = new ArrayList<>(count);
    long block = (at + headerBytes) / BLOCK;
    for (int i = 0; i < count; i++) {
      if (b.position() + PACK_ENTRY_FIXED_BYTES > start + headerBytes) {
        return -1;
      }
      long version = b.getLong();
      int length = b.getInt();
      int dataCrc = b.getInt();
      int keyLen = b.getShort() & 0xffff;
      if (length < 0 || b.position() + keyLen > start + headerBytes) {
        return -1;
      }
      byte[] key = new byte[keyLen];
      b.get(key);
      entries.add(new Scanned(new Pointer(segment, (int) block, true), key, version, length, dataCrc));
      block += roundUp(length) / BLOCK;
    }
    if (Checksums.crc32c(b.duplicate().flip().position(start + PACK_FIXED_BYTES)) != crc || block * BLOCK > w.size) {
      return -1;
    }
    List<Scanned> wanted = new ArrayList<>(entries.size());
    for (Scanned e : entries) {
      if (each.wants(e)) {
        wanted.add(e);
      }
    }
    if (!wanted.isEmpty()) {
      ByteBuf pack = w.bytes(at, (int) (block * BLOCK - at));  // the whole pack in one window
      for (Scanned e : wanted) {
        each.accept(e, pack.slice((int) (pack.readerIndex() + e.at().offset() - at), e.length()));
      }
    }
    return block * BLOCK;
  }

  /**
   * Sequential O_DIRECT reads of one segment in large windows. A window is a fresh buffer each
   * time, so slices a consumer retained stay valid after the scan moved on.
   */
  private static final class ScanWindow implements AutoCloseable {
    final FileChannel ch;
    final long size;
    private final LongAdder readBytes;
    private ByteBuf buf;
    private long from;
    private int length;

    ScanWindow(FileChannel ch, LongAdder readBytes) throws IOException {
      this.ch = ch;
      this.readBytes = readBytes;
      this.size = ch.size() / BLOCK * BLOCK;
    }

    /** {@code n} bytes at block-aligned {@code at} (within the segment), not retained. */
    ByteBuf bytes(long at, int n) throws IOException {
      return bytes(at, n, SCAN_WINDOW_BYTES);
    }

    /**
     * The block at {@code at}, read alone if the window does not hold it: the next record may be a
     * large one the consumer does not want, and a window would read its data for nothing.
     */
    ByteBuf probe(long at) throws IOException {
      return bytes(at, BLOCK, BLOCK);
    }

    private ByteBuf bytes(long at, int n, int windowBytes) throws IOException {
      if (buf == null || at < from || at + n > from + length) {
        fill(at, n, windowBytes);
      }
      return buf.slice((int) (at - from), n);
    }

    private void fill(long at, int n, int windowBytes) throws IOException {
      int want = (int) Math.min(Math.max(windowBytes, roundUp(n)), size - at);
      ByteBuf next = LargeBuffers.directBuffer(want + BLOCK);
      try {
        readFully(ch, aligned(next, want), at);
        readBytes.add(want);
        close();
        buf = next.slice(alignedOffset(next), want);
        from = at;
        length = want;
      } catch (IOException | RuntimeException e) {
        next.release();
        throw e;
      }
    }

    @Override
    public void close() {
      if (buf != null) {
        buf.release();
        buf = null;
      }
    }
  }

  long scanReadBytes() {
    return scanReadBytes.sum();
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
    for (FileChannel ch : new FileChannel[] {open.remove(segment), cached.remove(segment)}) {
      if (ch != null) {
        ch.close();
      }
    }
    unsynced.remove(segment);
    Files.deleteIfExists(path(segment));
  }

  /** Flips one bit of a record's data in place (fault injection for tests). */
  void corrupt(Pointer p, byte[] key, int length, int bit) throws IOException {
    if (p.packed()) {
      flipBit(p, roundUp(length), 0, length, bit);  // a packed pointer points at the data itself
    } else {
      flipBit(p, recordBytes(key.length, length), HEADER_BYTES + key.length, length, bit);
    }
  }

  /** Rewrites the {@code size} bytes at {@code p} with one bit of the data at {@code dataStart} flipped. */
  private void flipBit(Pointer p, int size, int dataStart, int length, int bit) throws IOException {
    ByteBuf buf = EventLoops.ALLOCATOR.directBuffer(size + BLOCK);
    try {
      ByteBuffer b = aligned(buf, size);
      int start = b.position();
      FileChannel ch = channel(p.segment(), false);
      readFully(ch, b, p.offset());
      int at = start + dataStart + Math.floorMod(bit, length * 8) / 8;
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
    for (FileChannel ch : cached.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing: nothing left to protect
      }
    }
    cached.clear();
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

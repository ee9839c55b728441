package io.strata.nfs.fs;

import io.strata.client.ChunkClient;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvEntry;
import io.strata.proto.MetaQueryReply;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exported file system (a share): POSIX semantics over inodes and directory entries in
 * metadata and file blocks on datanodes. Pure logic, no protocol: the NFS layer resolves handles
 * to inode numbers and calls in. The operations live in small classes per family
 * ({@link NamespaceOps}, {@link RenameOp}, {@link AttrOps}, {@link DataOps}, {@link DirectoryLister});
 * this class holds what they share: the metadata store with its lease, the authoritative cache,
 * the per-inode locks and the file data.
 */
public final class FileSystem implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FileSystem.class);
  public static final int MAX_NAME_BYTES = 255;
  public static final int MAX_PATH_BYTES = 4096;
  public static final int MAX_LINKS = 32_000;
  public static final long MAX_FILE_BYTES = Long.MAX_VALUE / 2;
  public static final int DIR_SIZE_BYTES = 4096;
  /** First cookie handed to an entry; 1 and 2 are "." and "..". */
  public static final long FIRST_COOKIE = 3;
  static final int CONFLICT_RETRIES = 4;
  static final int USAGE_SCAN_PAGE = 5_000;

  final long fsid;
  final long rootIno;
  final FsStore store;
  final InodeCache cache = new InodeCache();
  final LockTable locks = new LockTable();
  final ReentrantLock renameLock = new ReentrantLock();
  final IdAllocator ids;
  final FsClock clock = new FsClock();
  final Usage usage;
  final FileData data;
  final WriteBack writeBack;
  final String gatewayId;
  final EntryBatcher batcher = new EntryBatcher(this);

  public final NamespaceOps namespace = new NamespaceOps(this);
  public final RenameOp renames = new RenameOp(this);
  public final AttrOps attrs = new AttrOps(this);
  public final DataOps files = new DataOps(this);
  public final DirectoryLister directories = new DirectoryLister(this);
  private volatile boolean fenced;

  /** Thrown by a guarded commit that found the cache stale; the operation is recomputed. */
  static final class Retry extends RuntimeException {
    Retry() {
      super(null, null, false, false);
    }
  }

  private FileSystem(MetadataClient meta, ChunkClient chunks, int poolId, BlockMemory memory, long fsid, long rootIno,
                     long limitBytes, String gatewayId) {
    this.fsid = fsid;
    this.rootIno = rootIno;
    this.store = new FsStore(meta, fsid);
    this.ids = new IdAllocator(meta);
    this.usage = new Usage(limitBytes);
    this.data = new FileData(new BlockStore(chunks, poolId, fsid), memory);
    this.writeBack = new WriteBack(this);
    this.gatewayId = gatewayId;
  }

  /** Opens a file system for serving: takes its lease (fencing any previous gateway) and loads usage. */
  public static FileSystem open(MetadataClient meta, ChunkClient chunks, int poolId, BlockMemory memory, long fsid,
                                long rootIno, long limitBytes, String gatewayId) {
    FileSystem fs = new FileSystem(meta, chunks, poolId, memory, fsid, rootIno, limitBytes, gatewayId);
    fs.takeLease();
    fs.loadUsage();
    return fs;
  }

  private void takeLease() {
    byte[] value = (gatewayId + " " + System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
    long v = store.metadata().txn(new FsTxn().put(FsKeys.lease(fsid), value, FsTxn.ANY).build());
    store.leaseVersion(v);
  }

  private void loadUsage() {
    Optional<KvEntry> u = store.get(FsKeys.usage(fsid));
    long[] saved = u.map(e -> Usage.decode(e.getValue().toByteArray())).orElse(null);
    if (saved != null && saved[2] == 1) {
      usage.set(saved[0], saved[1]);
    } else {
      recomputeUsage();
    }
    commitQuietly(new FsTxn().put(FsKeys.usage(fsid), Usage.encode(usage.usedBytes(), usage.fileCount(), false), FsTxn.ANY));
  }

  /** After an unclean stop: the sum of the stored file sizes and the number of inodes. */
  private void recomputeUsage() {
    long bytes = 0;
    long files = 0;
    byte[] prefix = FsKeys.inodePrefix(fsid);
    byte[] after = new byte[0];
    while (true) {
      MetaQueryReply page = store.scan(prefix, after, USAGE_SCAN_PAGE);
      for (KvEntry e : page.getEntriesList()) {
        Inode i = InodeCodec.decode(e.getValue().toByteArray(), e.getVersion());
        files++;
        bytes += i.type == FileType.REG ? i.size : 0;
        after = e.getKey().toByteArray();
      }
      if (!page.getTruncated() || page.getEntriesCount() == 0) {
        break;
      }
    }
    LOG.info("file system {}: recomputed usage {} bytes in {} inodes", fsid, bytes, files);
    usage.set(bytes, files);
  }

  public long fsid() {
    return fsid;
  }

  public long rootIno() {
    return rootIno;
  }

  // ------------------------------------------------------------------ inodes

  /** The stored inode (cached), or null if there is none. Fills the cache under the inode's lock. */
  Inode stored(long ino) {
    Inode i = cache.inode(ino);
    if (i != null) {
      return i;
    }
    if (locks.isHeldByCurrentThread(ino)) {
      return load(ino);
    }
    try (LockTable.Held h = locks.lock(ino)) {
      i = cache.inode(ino);
      return i != null ? i : load(ino);
    }
  }

  private Inode load(long ino) {
    Inode i = store.inode(ino).orElse(null);
    if (i != null) {
      cache.put(i);
    }
    return i;
  }

  /** The inode with the gateway's write-back attributes; a snapshot to base a change on. */
  record Current(Inode inode, FileState state, long gen) {}

  Current currentState(long ino) {
    Inode s = stored(ino);
    if (s == null) {
      return null;
    }
    FileState st = s.type == FileType.REG ? data.existing(ino) : null;
    if (st == null) {
      return new Current(s, null, 0);
    }
    synchronized (st) {
      return new Current(st.overlay(s), st, st.attrGen);
    }
  }

  Inode current(long ino) {
    Current c = currentState(ino);
    return c == null ? null : c.inode();
  }

  /** After a change based on {@code c} was stored: its write-back attributes are no longer newer. */
  void persisted(Current c) {
    if (c != null && c.state() != null) {
      synchronized (c.state()) {
        c.state().persisted(c.gen());
      }
    }
  }

  /** The inode a handle names, or STALE if it was removed or its number reused. */
  public Inode resolve(long ino, int generation) {
    checkFenced();
    Inode i = current(ino);
    if (i == null || i.generation != generation) {
      throw new FsException(FsStatus.STALE, "no inode " + ino + "/" + generation + " in file system " + fsid);
    }
    return i;
  }

  /** The root directory of the share. */
  public Inode root() {
    checkFenced();
    Inode r = current(rootIno);
    if (r == null) {
      throw new FsException(FsStatus.STALE, "root of file system " + fsid + " is missing");
    }
    return r;
  }

  /**
   * The entry for {@code name} in {@code dir} (cached, negative entries too), or null. Without the
   * directory's lock the answer is a hint that callers re-check under the lock; the read itself
   * takes no lock, so concurrent lookups in one directory do not queue behind each other.
   */
  Dentry entry(long dir, String name) {
    InodeCache.Lookup l = cache.dentry(dir, name);
    if (l != null) {
      return l.entry();
    }
    if (locks.isHeldByCurrentThread(dir)) {
      return loadEntry(dir, name);
    }
    Inode d = cache.inode(dir);
    Dentry found = store.dentry(dir, name).orElse(null);
    if (d != null) {
      cache.putReadDentry(dir, d.version, name, found);
    }
    return found;
  }

  private Dentry loadEntry(long dir, String name) {
    Dentry d = store.dentry(dir, name).orElse(null);
    cache.putDentry(dir, name, d);
    return d;
  }

  Inode newInode(Caller c, Inode dir, FileType type, int mode, long now) {
    int gid = (dir.mode & Inode.S_ISGID) != 0 ? dir.gid : c.gid();
    int m = mode & Inode.PERMISSION_BITS;
    if (type == FileType.DIR && (dir.mode & Inode.S_ISGID) != 0) {
      m |= Inode.S_ISGID;
    }
    if (type != FileType.DIR && (m & Inode.S_ISGID) != 0 && !c.isRoot() && !c.inGroup(gid)) {
      m &= ~Inode.S_ISGID;
    }
    Inode.Builder b = Inode.builder(ids.next(), type).generation(ThreadLocalRandom.current().nextInt() | 1)
        .mode(m).uid(c.uid()).gid(gid).nlink(type == FileType.DIR ? 2 : 1).times(now);
    if (type == FileType.DIR) {
      b.parent(dir.id).nextCookie(FIRST_COOKIE).size(DIR_SIZE_BYTES);
    }
    return b.build();
  }

  // ------------------------------------------------------------------ commits

  /** Runs a change, recomputing it (bounded) when a guard found the cache stale. */
  <T> T mutate(Supplier<T> op) {
    checkFenced();
    for (int i = 0; i < CONFLICT_RETRIES; i++) {
      try {
        return op.get();
      } catch (Retry r) {
        checkFenced();
      }
    }
    throw new FsException(FsStatus.JUKEBOX, "file system " + fsid + " kept changing under the operation");
  }

  /**
   * Commits a change and returns the new version of the keys written. On a failed guard the
   * touched records are forgotten and the operation retried; on an unknown outcome they are
   * forgotten and the error returned (the next reader fetches what is really stored).
   */
  long commit(FsTxn t, long[] inodes, long dir, String... names) {
    try {
      return store.commit(t);
    } catch (FsStore.Conflict c) {
      forget(inodes, dir, names);
      checkLease();
      throw new Retry();
    } catch (FsException e) {
      forget(inodes, dir, names);
      throw e;
    }
  }

  /** A bookkeeping write under the lease; losing it only costs a usage recount later. */
  private void commitQuietly(FsTxn t) {
    try {
      store.commit(t);
    } catch (FsStore.Conflict | FsException e) {
      LOG.warn("file system {}: usage checkpoint not written: {}", fsid, e.getMessage());
    }
  }

  void forget(long[] inodes, long dir, String... names) {
    for (long i : inodes) {
      cache.forgetInode(i);
    }
    for (String n : names) {
      cache.forgetDentry(dir, n);
    }
    cache.forgetDirectory(dir);
  }

  private void checkLease() {
    Optional<KvEntry> l = store.get(FsKeys.lease(fsid));
    String holder = l.map(e -> new String(e.getValue().toByteArray(), StandardCharsets.UTF_8)).orElse("");
    if (!holder.startsWith(gatewayId + " ")) {
      fenced = true;
      cache.clear();
      LOG.warn("file system {} was taken over ({}); this gateway stops serving it", fsid, holder);
    }
  }

  void checkFenced() {
    if (fenced) {
      throw new FsException(FsStatus.IO, "file system " + fsid + " is served by another gateway now");
    }
  }

  public boolean isFenced() {
    return fenced;
  }

  // ------------------------------------------------------------------ names

  static void checkName(String name) {
    if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
      throw new FsException(FsStatus.INVAL, "invalid name");
    }
    if (name.length() > MAX_NAME_BYTES) {
      throw new FsException(FsStatus.NAMETOOLONG, "name of " + name.length() + " bytes");
    }
  }

  /** A name an entry is to be created under: "." and ".." already exist. */
  static void checkNewName(String name) {
    if (name.length() > MAX_NAME_BYTES) {
      throw new FsException(FsStatus.NAMETOOLONG, "name of " + name.length() + " bytes");
    }
    if (name.equals(".") || name.equals("..")) {
      throw new FsException(FsStatus.EXIST, "'" + name + "' exists");
    }
    checkName(name);
  }

  static Inode requireDir(Inode dir) {
    if (dir == null) {
      throw new FsException(FsStatus.STALE, "directory gone");
    }
    if (!dir.isDir()) {
      throw new FsException(FsStatus.NOTDIR, "inode " + dir.id + " is not a directory");
    }
    return dir;
  }

  // ------------------------------------------------------------------ simple queries

  /** LOOKUP: the inode {@code name} names in {@code dir}. */
  public Inode lookup(Caller c, long dirIno, String name) {
    Inode dir = requireDir(current(dirIno));
    if (name.length() > MAX_NAME_BYTES) {
      throw new FsException(FsStatus.NAMETOOLONG, "name of " + name.length() + " bytes");
    }
    Permissions.check(c, dir, Permissions.EXEC, "lookup");
    if (name.equals(".")) {
      return dir;
    }
    if (name.equals("..")) {
      Inode p = current(dir.id == rootIno ? rootIno : dir.parent);
      return p == null ? dir : p;
    }
    checkName(name);
    Dentry d = entry(dirIno, name);
    Inode child = d == null ? null : current(d.ino());
    if (child == null) {
      throw new FsException(FsStatus.NOENT, "no '" + name + "' in directory " + dirIno);
    }
    return child;
  }

  public int access(Caller c, long ino, int requested) {
    return Permissions.access(c, current(ino), requested);
  }

  public String readlink(long ino) {
    Inode i = current(ino);
    if (i.type != FileType.LNK) {
      throw new FsException(FsStatus.INVAL, "inode " + ino + " is not a symbolic link");
    }
    return i.target;
  }

  /** FSSTAT figures: {total bytes, free bytes, total files, free files}. */
  public long[] statfs() {
    long total = usage.limitBytes();
    long free = Math.max(0, total - usage.usedBytes());
    long totalFiles = 1L << 32;
    return new long[] {total, free, totalFiles, Math.max(0, totalFiles - usage.fileCount())};
  }

  public long usedBytes() {
    return usage.usedBytes();
  }

  /** Background work: write-back of aged data and attributes, garbage collection. */
  public void tick() {
    if (fenced) {
      return;
    }
    try {
      writeBack.tick();
    } catch (RuntimeException e) {
      LOG.warn("file system {}: write-back pass failed", fsid, e);
    }
  }

  public void collectGarbage() {
    if (!fenced) {
      new Collector(this).run();
    }
  }

  /** Flushes every dirty block and attribute, then checkpoints usage as clean. */
  @Override
  public void close() {
    if (fenced) {
      return;
    }
    try {
      writeBack.flushAll();
      commitQuietly(new FsTxn().put(FsKeys.usage(fsid), Usage.encode(usage.usedBytes(), usage.fileCount(), true), FsTxn.ANY));
    } catch (RuntimeException e) {
      LOG.warn("file system {}: closing left data unflushed (clients re-send it after the verifier change)", fsid, e);
    }
  }
}

package io.strata.nfs.share;

import io.strata.client.StrataClient;
import io.strata.nfs.fs.BlockMemory;
import io.strata.nfs.fs.FileSystem;
import io.strata.nfs.fs.FileSystemEraser;
import io.strata.nfs.fs.NoWait;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shares this gateway serves and their open file systems. Share records are re-read at
 * most every {@link #REFRESH_MILLIS} (and on a miss), so a share created or deleted with the
 * CLI is seen within that time; a deleted share's file system is closed and its handles go
 * STALE. A file system is opened (its lease taken) on first use.
 */
public final class Exports implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Exports.class);
  static final long REFRESH_MILLIS = 2_000;
  static final long MISS_REFRESH_MILLIS = 100;

  private final StrataClient client;
  private final int poolId;
  private final BlockMemory memory;
  private final String gatewayId;
  private final ShareService shares;
  /** The share records as last read: replaced whole, read without locking on every call. */
  private volatile Map<Long, Share> byFsid = Map.of();
  private volatile Map<String, Share> byName = Map.of();
  private long refreshedAt;
  private final Map<Long, FileSystem> open = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public Exports(StrataClient client, int poolId, BlockMemory memory, String gatewayId) {
    this.client = client;
    this.poolId = poolId;
    this.memory = memory;
    this.gatewayId = gatewayId;
    this.shares = new ShareService(client.metadata());
  }

  public ShareService service() {
    return shares;
  }

  public String gatewayId() {
    return gatewayId;
  }

  public List<Share> list() {
    refresh(REFRESH_MILLIS);
    return List.copyOf(byName.values());
  }

  public Optional<Share> byFsid(long fsid) {
    Share s = byFsid.get(fsid);
    if (s == null) {
      refresh(MISS_REFRESH_MILLIS);
      s = byFsid.get(fsid);
    }
    return Optional.ofNullable(s);
  }

  /** By name (MNT): a miss always re-reads, so a share is mountable as soon as it is created. */
  public Optional<Share> byName(String name) {
    Share s = byName.get(name);
    if (s == null) {
      refresh(0);
      s = byName.get(name);
    }
    return Optional.ofNullable(s);
  }

  /** The share's file system, opened on first use. */
  public FileSystem fileSystem(Share s) {
    if (closed) {
      throw new IllegalStateException("gateway closed");
    }
    FileSystem fs = open.get(s.fsid());
    if (fs != null) {
      return fs;
    }
    NoWait.check();
    return open.computeIfAbsent(s.fsid(), k -> FileSystem.open(client.metadata(), client.chunks(), poolId, memory,
        s.fsid(), s.rootIno(), s.sizeBytes(), gatewayId));
  }

  public List<FileSystem> openFileSystems() {
    return List.copyOf(open.values());
  }

  /**
   * Re-reads the share records unless that was done less than {@code maxAgeMillis} ago: every
   * {@link #REFRESH_MILLIS} from the background pass, at most every {@link #MISS_REFRESH_MILLIS}
   * for handles of unknown shares (clients may keep sending stale ones). A deleted share's file
   * system stops being served and its cached data is dropped.
   */
  private synchronized void refresh(long maxAgeMillis) {
    NoWait.check();
    long now = System.currentTimeMillis();
    if (maxAgeMillis > 0 && now - refreshedAt < maxAgeMillis) {
      return;
    }
    refreshedAt = now;
    Map<Long, Share> f = new HashMap<>();
    Map<String, Share> n = new HashMap<>();
    for (Share s : shares.list()) {
      f.put(s.fsid(), s);
      n.put(s.name(), s);
    }
    byFsid = f;
    byName = n;
    for (Long fsid : List.copyOf(open.keySet())) {
      if (!f.containsKey(fsid)) {
        FileSystem gone = open.remove(fsid);
        LOG.info("share with file system {} was deleted; no longer served", fsid);
        gone.abandon();
      }
    }
  }

  /** Background pass: re-reads shares, then erases the data of deleted ones. */
  public void maintain() {
    refresh(REFRESH_MILLIS);
    for (long fsid : shares.pendingDeletions()) {
      try {
        new FileSystemEraser(client.metadata(), client.chunks(), poolId, fsid).erase();
        shares.deletionDone(fsid);
        LOG.info("erased file system {} of a deleted share", fsid);
      } catch (RuntimeException e) {
        LOG.warn("erasing file system {} failed; will retry", fsid, e);
      }
    }
  }

  /** Forgets every open file system without writing anything back (a simulated crash). */
  public void abandon() {
    closed = true;
    open.clear();
  }

  @Override
  public void close() {
    closed = true;
    List<FileSystem> toClose = List.copyOf(open.values());
    open.clear();
    toClose.forEach(FileSystem::close);
  }
}

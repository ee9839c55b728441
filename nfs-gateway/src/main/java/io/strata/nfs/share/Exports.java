package io.strata.nfs.share;

import io.strata.client.StrataClient;
import io.strata.nfs.fs.BlockMemory;
import io.strata.nfs.fs.FileSystem;
import io.strata.nfs.fs.FileSystemEraser;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  private final StrataClient client;
  private final int poolId;
  private final BlockMemory memory;
  private final String gatewayId;
  private final ShareService shares;
  private Map<Long, Share> byFsid = Map.of();
  private Map<String, Share> byName = Map.of();
  private long refreshedAt;
  private final Map<Long, FileSystem> open = new HashMap<>();
  private boolean closed;

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

  public synchronized List<Share> list() {
    refreshIfOld(false);
    return List.copyOf(byName.values());
  }

  public synchronized Optional<Share> byFsid(long fsid) {
    refreshIfOld(false);
    Share s = byFsid.get(fsid);
    if (s == null) {
      refreshIfOld(true);
      s = byFsid.get(fsid);
    }
    return Optional.ofNullable(s);
  }

  public synchronized Optional<Share> byName(String name) {
    refreshIfOld(false);
    Share s = byName.get(name);
    if (s == null) {
      refreshIfOld(true);
      s = byName.get(name);
    }
    return Optional.ofNullable(s);
  }

  /** The share's file system, opened on first use. */
  public synchronized FileSystem fileSystem(Share s) {
    if (closed) {
      throw new IllegalStateException("gateway closed");
    }
    return open.computeIfAbsent(s.fsid(), k -> FileSystem.open(client.metadata(), client.chunks(), poolId, memory,
        s.fsid(), s.rootIno(), s.sizeBytes(), gatewayId));
  }

  public synchronized List<FileSystem> openFileSystems() {
    return List.copyOf(open.values());
  }

  private void refreshIfOld(boolean force) {
    long now = System.currentTimeMillis();
    if (!force && now - refreshedAt < REFRESH_MILLIS) {
      return;
    }
    if (force && now - refreshedAt < 100) {
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
    open.keySet().removeIf(fsid -> {
      if (f.containsKey(fsid)) {
        return false;
      }
      LOG.info("share with file system {} was deleted; no longer served", fsid);
      return true;
    });
  }

  /** Background pass: re-reads shares, then erases the data of deleted ones. */
  public void maintain() {
    synchronized (this) {
      refreshIfOld(true);
    }
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
  public synchronized void abandon() {
    closed = true;
    open.clear();
  }

  @Override
  public void close() {
    List<FileSystem> toClose;
    synchronized (this) {
      closed = true;
      toClose = List.copyOf(open.values());
      open.clear();
    }
    toClose.forEach(FileSystem::close);
  }
}

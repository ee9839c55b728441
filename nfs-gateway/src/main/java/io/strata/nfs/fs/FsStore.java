package io.strata.nfs.fs;

import com.google.protobuf.ByteString;
import io.strata.metadata.client.MetaException;
import io.strata.metadata.client.MetadataClient;
import io.strata.proto.KvEntry;
import io.strata.proto.KvGet;
import io.strata.proto.MetaQuery;
import io.strata.proto.MetaCommand;
import io.strata.proto.MetaQueryReply;
import io.strata.proto.MetaResult;
import io.strata.proto.MetaStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Metadata access for one file system: reads are linearizable gets and scans; every transaction
 * also requires the gateway's lease record to be unchanged, so a gateway that another one has
 * taken the file system from cannot write (fencing).
 */
public final class FsStore {
  /** A guarded write found the stored record different from the cache (or the lease gone). */
  static final class Conflict extends RuntimeException {
    Conflict(String message) {
      super(message, null, false, false);
    }
  }

  static final int PARALLEL_READS = 64;

  private final MetadataClient meta;
  private final long fsid;
  private volatile long leaseVersion;

  public FsStore(MetadataClient meta, long fsid) {
    this.meta = meta;
    this.fsid = fsid;
  }

  public long fsid() {
    return fsid;
  }

  public MetadataClient metadata() {
    return meta;
  }

  void leaseVersion(long v) {
    this.leaseVersion = v;
  }

  public Optional<Inode> inode(long ino) {
    return get(FsKeys.inode(fsid, ino)).map(e -> InodeCodec.decode(e.getValue().toByteArray(), e.getVersion()));
  }

  public Optional<Dentry> dentry(long dir, String name) {
    return get(FsKeys.dentry(fsid, dir, name)).map(e -> FsKeys.decodeDentry(dir, name, e.getValue().toByteArray(), e.getVersion()));
  }

  public Optional<KvEntry> get(byte[] key) {
    try {
      return meta.get(FsKeys.NAMESPACE, key);
    } catch (MetaException e) {
      throw new FsException(FsStatus.JUKEBOX, "metadata read failed: " + e.getMessage());
    }
  }

  /** Stored inodes by number, fetched in parallel (at most {@link #PARALLEL_READS} at a time). */
  public Map<Long, Inode> inodes(List<Long> inos) {
    Map<Long, Inode> out = new HashMap<>();
    for (int from = 0; from < inos.size(); from += PARALLEL_READS) {
      List<Long> part = inos.subList(from, Math.min(inos.size(), from + PARALLEL_READS));
      List<CompletableFuture<MetaQueryReply>> replies = new ArrayList<>();
      for (long ino : part) {
        replies.add(meta.query(MetaQuery.newBuilder().setKvGet(KvGet.newBuilder().setNamespace(FsKeys.NAMESPACE)
            .setKey(ByteString.copyFrom(FsKeys.inode(fsid, ino)))).build()));
      }
      for (CompletableFuture<MetaQueryReply> f : replies) {
        MetaQueryReply r;
        try {
          r = f.join();
        } catch (CompletionException e) {
          throw new FsException(FsStatus.JUKEBOX, "metadata read failed: " + e.getCause());
        }
        for (KvEntry e : r.getEntriesList()) {
          Inode i = InodeCodec.decode(e.getValue().toByteArray(), e.getVersion());
          out.put(i.id, i);
        }
      }
    }
    return out;
  }

  /** One page of a directory's entries with cookie greater than {@code afterCookie}. */
  public Page<Dentry> entries(long dir, long afterCookie, int limit) {
    byte[] prefix = FsKeys.cookiePrefix(fsid, dir);
    byte[] after = afterCookie <= 0 ? new byte[0] : FsKeys.cookie(fsid, dir, afterCookie);
    MetaQueryReply r = scan(prefix, after, limit);
    List<Dentry> out = new ArrayList<>(r.getEntriesCount());
    for (KvEntry e : r.getEntriesList()) {
      out.add(FsKeys.decodeCookie(dir, FsKeys.cookieOf(e.getKey().toByteArray()), e.getValue().toByteArray()));
    }
    return new Page<>(out, r.getTruncated());
  }

  public MetaQueryReply scan(byte[] prefix, byte[] startAfter, int limit) {
    try {
      return meta.scan(FsKeys.NAMESPACE, prefix, startAfter, limit);
    } catch (MetaException e) {
      throw new FsException(FsStatus.JUKEBOX, "metadata scan failed: " + e.getMessage());
    }
  }

  /** A page of a scan and whether more follow. */
  public record Page<T>(List<T> items, boolean more) {}

  /**
   * Commits atomically; returns the new version of every key written. A failed guard is a
   * {@link Conflict}; an unreachable metadata service is JUKEBOX (the outcome is unknown, so the
   * caller must forget what it cached about the keys).
   */
  long commit(FsTxn t) {
    t.require(FsKeys.NAMESPACE, FsKeys.lease(fsid), leaseVersion);
    MetaResult r;
    try {
      r = meta.submit(MetaCommand.newBuilder().setKvTxn(t.build()).build()).join();
    } catch (CompletionException | MetaException e) {
      throw new FsException(FsStatus.JUKEBOX, "metadata commit failed: " + (e.getCause() == null ? e : e.getCause()));
    }
    if (r.getStatus() == MetaStatus.META_CONDITION_FAILED) {
      throw new Conflict(r.getMessage());
    }
    if (r.getStatus() != MetaStatus.META_OK) {
      throw new FsException(FsStatus.IO, "metadata commit refused: " + r.getStatus() + " " + r.getMessage());
    }
    return r.getAppliedIndex();
  }

  static String latin1(ByteString b) {
    return new String(b.toByteArray(), StandardCharsets.ISO_8859_1);
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}

package io.strata.nfs.fs;

import com.google.protobuf.ByteString;
import io.strata.client.ChunkClient;
import io.strata.proto.ChunkId;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * File data on the datanodes: block {@code n} of inode {@code i} is chunk {@code n} of object
 * {@code nfs/FSID/INO} in the gateway's pool, replicated and checksummed by the chunk client.
 * A block's chunk holds its valid bytes only (the last block of a file is short); a missing
 * chunk reads as zeroes (a hole).
 */
public final class BlockStore {
  /** Block size: large, so sequential I/O is one replicated write per MiB. */
  public static final int BLOCK_BYTES = 1 << 20;

  private final ChunkClient chunks;
  private final int poolId;
  private final long fsid;

  public BlockStore(ChunkClient chunks, int poolId, long fsid) {
    this.chunks = chunks;
    this.poolId = poolId;
    this.fsid = fsid;
  }

  ByteString objectId(long ino) {
    return ByteString.copyFrom("nfs/" + fsid + "/" + ino, StandardCharsets.UTF_8);
  }

  ChunkId chunk(long ino, long index) {
    return chunks.chunkId(poolId, objectId(ino), index);
  }

  CompletableFuture<Optional<ByteString>> read(long ino, long index) {
    return chunks.read(chunk(ino, index), 0, 0);
  }

  /** Writes the block; completes with its placement group. */
  CompletableFuture<Integer> write(long ino, long index, ByteString data, boolean sync) {
    ChunkId id = chunk(ino, index);
    return chunks.write(id, data, sync).thenApply(v -> id.getPg());
  }

  /** Deletes the block's chunk; completes with its placement group. */
  CompletableFuture<Integer> delete(long ino, long index) {
    ChunkId id = chunk(ino, index);
    return chunks.delete(id).thenApply(v -> id.getPg());
  }

  /** Makes every acknowledged write to these groups durable on their members. */
  CompletableFuture<Void> sync(Collection<Integer> pgs) {
    return pgs.isEmpty() ? CompletableFuture.completedFuture(null) : chunks.flush(poolId, pgs);
  }

  static long blocksFor(long bytes) {
    return (bytes + BLOCK_BYTES - 1) / BLOCK_BYTES;
  }
}

package io.strata.datanode.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.strata.common.Checksums;
import io.strata.datanode.disk.DiskException;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ChunkStatus;
import io.strata.proto.WriteChunkReply;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * OR-merge writes ({@code WriteChunkRequest.merge_or}) on the primary: the stored bytes OR the
 * written ones become the new chunk. Merges of one chunk run one after the other, each after the
 * previous one's local write has applied, so two writers that set different bits both keep
 * theirs; the merged bytes (one result, one checksum) are what the replicas get. Reading the
 * local copy may sleep on a delaying disk, so merges run on the {@code slow} executor.
 */
final class OrMerges {
  /** Stores {@code merged} (its checksum {@code crc32c}) as the write; the caller keeps its reference. */
  interface Store {
    CompletableFuture<WriteChunkReply> store(ByteBuf merged, int crc32c);
  }

  private final Executor slow;
  private final Map<ByteBuffer, CompletableFuture<WriteChunkReply>> tails = new ConcurrentHashMap<>();

  OrMerges(Executor slow) {
    this.slow = slow;
  }

  /** Merges {@code payload} (the caller keeps its reference until this completes) into the chunk at {@code key}. */
  CompletableFuture<WriteChunkReply> merge(byte[] key, SimulatedDisk disk, ByteBuf payload, long epoch, Store store) {
    ByteBuffer k = ByteBuffer.wrap(key);
    CompletableFuture<WriteChunkReply>[] mine = new CompletableFuture[1];
    tails.compute(k, (x, previous) -> {
      CompletableFuture<?> after = previous == null ? CompletableFuture.completedFuture(null) : previous;
      mine[0] = after.handle((v, t) -> null)
          .thenComposeAsync(v -> mergeNow(key, disk, payload, epoch, store), slow);
      return mine[0];
    });
    mine[0].whenComplete((r, t) -> tails.remove(k, mine[0]));
    return mine[0];
  }

  private static CompletableFuture<WriteChunkReply> mergeNow(byte[] key, SimulatedDisk disk, ByteBuf payload,
                                                             long epoch, Store store) {
    SimulatedDisk.Stored old;
    try {
      old = disk.read(key);
    } catch (DiskException e) {
      return CompletableFuture.completedFuture(WritePath.reply(e.status(), "merge read: " + e.getMessage(), epoch));
    }
    if (old != null && !old.checksumOk()) {  // never launder a corrupt copy into a fresh checksum
      return CompletableFuture.completedFuture(WritePath.reply(ChunkStatus.CHUNK_IO_ERROR,
          "merge read: the stored copy fails its checksum; it needs repair first", epoch));
    }
    byte[] stored = old == null || old.header().tombstone() ? new byte[0] : old.data();
    byte[] out = new byte[Math.max(stored.length, payload.readableBytes())];
    System.arraycopy(stored, 0, out, 0, stored.length);
    for (int i = 0; i < payload.readableBytes(); i++) {
      out[i] |= payload.getByte(payload.readerIndex() + i);
    }
    return store.store(Unpooled.wrappedBuffer(out), Checksums.crc32c(out));
  }
}

package io.strata.datanode.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.strata.common.Checksums;
import io.strata.common.Metrics;
import io.strata.datanode.LocalNode;
import io.strata.datanode.disk.ChunkKeys;
import io.strata.datanode.disk.DiskException;
import io.strata.datanode.disk.RecordHeader;
import io.strata.datanode.disk.SimulatedDisk;
import io.strata.proto.ChunkStatus;
import io.strata.proto.FetchRecordReply;
import io.strata.proto.ReadChunkBatch;
import io.strata.proto.ReadChunkBatchReply;
import io.strata.proto.ReadChunkReply;
import io.strata.proto.ReadChunkRequest;
import io.strata.transport.EventLoops;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A read on the primary. The common case (group active, healthy disk, CRC good or checked by the
 * reader) is served where the request arrived, straight from RocksDB into a direct buffer that
 * becomes the reply payload. Anything else (a bad or unreadable copy, a disk with injected delays) goes to the read
 * executor, which fetches a good copy from another member and repairs ours (read repair).
 */
final class ReadPath {
  private final LocalNode node;
  private final PrimaryCheck check;
  private final RecordTransfer transfer;
  private final Executor slow;
  private final LongAdder reads = Metrics.global().counter("strata_chunk_reads_total", "chunk reads served as primary");
  private final LongAdder runs = Metrics.global().counter("strata_chunk_read_runs_total",
      "runs of packed blocks read with one read each, for batch reads");
  private final LongAdder repairs = Metrics.global().counter("strata_chunk_read_repairs_total",
      "corrupt or unreadable local copies repaired from a replica on read");

  /** A read's reply header and its payload (the caller's to release). */
  record Result(ReadChunkReply header, ByteBuf payload) {
    static Result of(ReadChunkReply header) {
      return new Result(header, Unpooled.EMPTY_BUFFER);
    }
  }

  ReadPath(LocalNode node, PrimaryCheck check, RecordTransfer transfer, Executor slow) {
    this.node = node;
    this.check = check;
    this.transfer = transfer;
    this.slow = slow;
  }

  CompletableFuture<Result> read(ReadChunkRequest req) {
    String bad = req.hasId() ? PrimaryCheck.validate(req.getId()) : "missing chunk id";
    if (bad != null) {
      return done(ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).setMessage(bad).build());
    }
    return check.primary(req.getEpoch(), req.getId()).thenCompose(p -> {
      if (p.refusal() != null) {
        return done(ReadChunkReply.newBuilder().setStatus(p.refusal()).setMessage(p.why()).setEpoch(p.epoch()).build());
      }
      CompletableFuture<Void> active = p.pg().active;
      if (active.isDone() && !active.isCompletedExceptionally()) {
        Result fast = tryFast(p, req, false);
        if (fast != null && fast != OFFLOAD) {
          return CompletableFuture.completedFuture(fast);
        }
      }
      return active.copy().orTimeout(WritePath.ACTIVATION_WAIT_MILLIS, TimeUnit.MILLISECONDS)
          .thenApplyAsync(v -> {
            Result r = tryFast(p, req, true);
            return r != null ? r : readOrRepair(p, req);
          }, slow)
          .exceptionally(t -> Result.of(ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_UNAVAILABLE)
              .setMessage("group " + req.getId().getPg() + " not readable: " + WritePath.cause(t))
              .setEpoch(p.epoch()).build()));
    });
  }

  /**
   * "Read this on the read executor": a large value (an O_DIRECT read of its record), or a disk
   * that delays, is never read on an event loop; packed small values are read there, from the
   * page cache, like values inline in RocksDB.
   */
  private static final Result OFFLOAD = Result.of(ReadChunkReply.getDefaultInstance());

  /**
   * The read of a good copy, or null when it needs repair; on an event loop ({@code mayBlock}
   * false) also {@link #OFFLOAD} for reads that would block it.
   */
  private Result tryFast(PrimaryCheck.Primary p, ReadChunkRequest req, boolean mayBlock) {
    SimulatedDisk disk = node.disk(p.acting().get(0).getDiskIndex());
    if (disk == null || disk.faults().isFailed()) {
      return null;
    }
    if (disk.faults().delays() && !mayBlock) {
      return OFFLOAD;
    }
    byte[] key = ChunkKeys.encode(req.getId());
    try {
      RecordHeader h = disk.header(key);
      if (h == null || h.tombstone()) {
        return notFound(p);
      }
      if (h.external() && !h.packed() && !mayBlock) {
        return OFFLOAD;
      }
      ByteBuf data = disk.readData(key, h, EventLoops.ALLOCATOR);
      if (data == null || data.readableBytes() != h.length()
          || (!readerVerifies(req, h) && Checksums.crc32c(data.nioBuffer()) != h.crc32c())) {
        if (data != null) {
          data.release();
        }
        return null;
      }
      return slice(p, req, data, h.version(), h.crc32c());
    } catch (DiskException e) {
      return null;
    }
  }

  /**
   * A batch served run by run: when every element asks, of one group, for a whole record that
   * the reader will check (packed, inline or missing), the packed records whose entries lie
   * block after block in a segment (a sequentially written range) are read with one
   * {@code pread} per run, and each run goes into the reply as one buffer. One read per 4 KiB
   * block was 18% of a 1 MiB NBD read's CPU and the 256-piece reply another 6%
   * (docs/benchmarks.md, 2026-12-07). Returns null when the batch does not qualify or a read
   * fails; its elements then take the lone-read path, with its waits, retries and repairs.
   */
  ReadBatches.Framed tryRuns(ReadChunkBatch batch) {
    int n = batch.getRequestsCount();
    if (n < 2) {
      return null;
    }
    ReadChunkRequest first = batch.getRequests(0);
    for (ReadChunkRequest r : batch.getRequestsList()) {
      if (!r.hasId() || PrimaryCheck.validate(r.getId()) != null || r.getEpoch() != first.getEpoch()
          || r.getId().getPool() != first.getId().getPool() || r.getId().getPg() != first.getId().getPg()
          || !r.getReaderVerifies() || r.getOffset() != 0) {
        return null;
      }
    }
    CompletableFuture<PrimaryCheck.Primary> checked = check.primary(first.getEpoch(), first.getId());
    if (!checked.isDone() || checked.isCompletedExceptionally()) {
      return null;
    }
    PrimaryCheck.Primary p = checked.join();
    if (p.refusal() != null || !p.pg().active.isDone() || p.pg().active.isCompletedExceptionally()) {
      return null;
    }
    SimulatedDisk disk = node.disk(p.acting().get(0).getDiskIndex());
    if (disk == null || disk.faults().isFailed() || disk.faults().delays()) {
      return null;
    }
    CompositeByteBuf payload = null;
    try {
      RecordHeader[] h = new RecordHeader[n];
      for (int i = 0; i < n; i++) {
        h[i] = disk.header(ChunkKeys.encode(batch.getRequests(i).getId()));
        if (h[i] != null && !h[i].tombstone() && (h[i].external() && !h[i].packed()
            || !readerVerifies(batch.getRequests(i), h[i]))) {
          return null;  // a record of its own (an O_DIRECT read, not on a loop), or a part of a chunk
        }
      }
      payload = EventLoops.ALLOCATOR.compositeDirectBuffer(n + 1);
      ReadChunkBatchReply.Builder header = ReadChunkBatchReply.newBuilder();
      int served = 0;
      for (int i = 0; i < n; ) {
        if (h[i] == null || h[i].tombstone()) {
          header.addReplies(ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_NOT_FOUND).setEpoch(p.epoch()));
          i++;
          continue;
        }
        int j = i + 1;
        if (!h[i].packed()) {  // inline in RocksDB
          ByteBuf data = disk.readData(ChunkKeys.encode(batch.getRequests(i).getId()), h[i], EventLoops.ALLOCATOR);
          if (data == null || data.readableBytes() != h[i].length()) {
            if (data != null) {
              data.release();
            }
            return null;
          }
          payload.addComponent(true, data);
        } else {
          int bytes = SimulatedDisk.packedBytes(h[i].length());
          boolean whole = bytes == h[i].length();
          while (j < n && h[j] != null && SimulatedDisk.followsInPack(h[j - 1], h[j])) {
            bytes += SimulatedDisk.packedBytes(h[j].length());
            whole &= SimulatedDisk.packedBytes(h[j].length()) == h[j].length();
            j++;
          }
          ByteBuf run = disk.readPackedRun(h[i], bytes, EventLoops.ALLOCATOR);
          runs.increment();
          if (whole) {
            payload.addComponent(true, run);  // the entries' data back to back, nothing between
          } else {
            for (int k = i, at = 0; k < j; at += SimulatedDisk.packedBytes(h[k].length()), k++) {
              payload.addComponent(true, run.retainedSlice(run.readerIndex() + at, h[k].length()));
            }
            run.release();
          }
        }
        served += j - i;
        for (int k = i; k < j; k++) {
          header.addReplies(ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setCrc32C(h[k].crc32c())
              .setVersion(h[k].version()).setChunkLength(h[k].length()).setEpoch(p.epoch())
              .setDataLength(h[k].length()));
        }
        i = j;
      }
      reads.add(served);
      ReadBatches.Framed out = new ReadBatches.Framed(header.build(), payload);
      payload = null;
      return out;
    } catch (DiskException e) {
      return null;
    } finally {
      if (payload != null) {
        payload.release();
      }
    }
  }

  /**
   * Whether the reply may carry the stored CRC unchecked: the reader checks it (the same end-to-end
   * check, one CRC pass fewer on large reads) and asks again without the flag if it fails, which
   * brings the read here to {@link #readOrRepair}. A part of a chunk needs its own CRC, so the
   * whole is verified first.
   */
  private static boolean readerVerifies(ReadChunkRequest req, RecordHeader h) {
    return req.getReaderVerifies() && req.getOffset() == 0 && (req.getLength() == 0 || req.getLength() >= h.length());
  }

  /** The requested range of verified data, with the CRC of exactly what is returned. */
  private Result slice(PrimaryCheck.Primary p, ReadChunkRequest req, ByteBuf data, long version, int fullCrc) {
    int total = data.readableBytes();
    int off = Math.min(req.getOffset(), total);
    int len = req.getLength() == 0 ? total - off : Math.min(req.getLength(), total - off);
    ByteBuf out = data;
    int crc = fullCrc;
    if (off != 0 || len != total) {
      out = data.retainedSlice(data.readerIndex() + off, len);
      data.release();
      crc = Checksums.crc32c(out.nioBuffer());
    }
    reads.increment();
    return new Result(ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_OK).setCrc32C(crc)
        .setVersion(version).setChunkLength(total).setEpoch(p.epoch()).build(), out);
  }

  private Result readOrRepair(PrimaryCheck.Primary p, ReadChunkRequest req) {
    byte[] key = ChunkKeys.encode(req.getId());
    SimulatedDisk disk = node.disk(p.acting().get(0).getDiskIndex());
    SimulatedDisk.Stored s = null;
    RecordHeader header = null;
    try {
      header = disk == null ? null : disk.header(key);
      s = disk == null ? null : disk.read(key);
    } catch (DiskException e) {
      s = null;
    }
    if (s != null && s.checksumOk()) {
      if (s.header().tombstone()) {
        return notFound(p);
      }
      return slice(p, req, Unpooled.wrappedBuffer(s.data()), s.header().version(), s.header().crc32c());
    }
    if (s == null && header == null && disk != null && !disk.faults().isFailed()) {
      return notFound(p);
    }
    FetchRecordReply good = transfer.fetchGood(p.acting(), key, header == null ? 0 : header.version());
    if (good == null) {
      return Result.of(ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_IO_ERROR).setEpoch(p.epoch())
          .setMessage("no readable copy of chunk in group " + req.getId().getPg()).build());
    }
    repairs.increment();
    if (disk != null) {
      try {
        RecordTransfer.install(disk, key, good, true);
      } catch (RuntimeException e) {
        // the disk is failing; the read is still served from the good copy
      }
    }
    if (good.getDelete()) {
      return notFound(p);
    }
    return slice(p, req, Unpooled.wrappedBuffer(good.getData().toByteArray()), good.getVersion(), good.getCrc32C());
  }

  private static Result notFound(PrimaryCheck.Primary p) {
    return Result.of(ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_NOT_FOUND).setEpoch(p.epoch()).build());
  }

  private static CompletableFuture<Result> done(ReadChunkReply r) {
    return CompletableFuture.completedFuture(Result.of(r));
  }
}

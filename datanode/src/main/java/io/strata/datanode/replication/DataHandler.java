package io.strata.datanode.replication;

import io.netty.buffer.Unpooled;
import io.strata.proto.ChunkStatus;
import io.strata.proto.FlushReply;
import io.strata.proto.FlushRequest;
import io.strata.proto.ReadChunkBatch;
import io.strata.proto.ReadChunkReply;
import io.strata.proto.ReadChunkRequest;
import io.strata.proto.ReplicaWrite;
import io.strata.proto.WriteChunkRequest;
import io.strata.transport.DataService;
import io.strata.transport.Frame;

/** The datanode's data-transport face: hands each frame to its path and sends the answer back. */
public final class DataHandler implements DataService {
  private final ChunkPaths paths;

  public DataHandler(ChunkPaths paths) {
    this.paths = paths;
  }

  @Override
  public void handle(Frame f, Reply reply) {
    switch (f.kind()) {
      case WRITE -> paths.writes().write(f.header(WriteChunkRequest.class), f.payload())
          .thenAccept(r -> reply.send(r, Unpooled.EMPTY_BUFFER));
      case REPLICATE -> paths.replicas().replicate(f.header(ReplicaWrite.class), f.payload())
          .thenAccept(r -> reply.send(r, Unpooled.EMPTY_BUFFER));
      case READ -> {
        f.release();
        paths.reads().read(f.header(ReadChunkRequest.class))
            .exceptionally(t -> ReadPath.Result.of(ReadChunkReply.newBuilder().setStatus(ChunkStatus.CHUNK_IO_ERROR)
                .setMessage(String.valueOf(t)).build()))
            .thenAccept(r -> reply.send(r.header(), r.payload()));
      }
      case READ_BATCH -> {
        f.release();
        ReadBatches.framed(f.header(ReadChunkBatch.class), paths.reads())
            .thenAccept(r -> reply.send(r.header(), r.payload()));
      }
      case FLUSH -> {
        f.release();
        paths.flushes().flush(f.header(FlushRequest.class)).thenAccept(r -> reply.send(r, Unpooled.EMPTY_BUFFER));
      }
      default -> {
        f.release();
        reply.send(FlushReply.newBuilder().setStatus(ChunkStatus.CHUNK_INVALID).build(), Unpooled.EMPTY_BUFFER);
      }
    }
  }
}

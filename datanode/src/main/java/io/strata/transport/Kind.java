package io.strata.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.strata.proto.FlushReply;
import io.strata.proto.FlushRequest;
import io.strata.proto.ReadChunkBatch;
import io.strata.proto.ReadChunkBatchReply;
import io.strata.proto.ReadChunkReply;
import io.strata.proto.ReadChunkRequest;
import io.strata.proto.ReplicaWrite;
import io.strata.proto.ReplicaWriteReply;
import io.strata.proto.WriteChunkReply;
import io.strata.proto.WriteChunkRequest;
import java.nio.ByteBuffer;

/**
 * What a frame carries: one of the chunk service's hot-path messages. A request kind's reply
 * kind is the next code. The chunk bytes never sit in the protobuf header (its {@code data}
 * field stays empty); they travel as the frame's payload.
 */
public enum Kind {
  WRITE(1, WriteChunkRequest.parser()),
  WRITE_REPLY(2, WriteChunkReply.parser()),
  READ(3, ReadChunkRequest.parser()),
  READ_REPLY(4, ReadChunkReply.parser()),
  FLUSH(5, FlushRequest.parser()),
  FLUSH_REPLY(6, FlushReply.parser()),
  REPLICATE(7, ReplicaWrite.parser()),
  REPLICATE_REPLY(8, ReplicaWriteReply.parser()),
  READ_BATCH(9, ReadChunkBatch.parser()),
  READ_BATCH_REPLY(10, ReadChunkBatchReply.parser());

  private static final Kind[] BY_CODE = new Kind[16];

  static {
    for (Kind k : values()) {
      BY_CODE[k.code] = k;
    }
  }

  final int code;
  private final Parser<? extends MessageLite> parser;

  Kind(int code, Parser<? extends MessageLite> parser) {
    this.code = code;
    this.parser = parser;
  }

  /** The kind of a code, or null for an unknown one. */
  static Kind of(int code) {
    return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  boolean isReply() {
    return code % 2 == 0;
  }

  MessageLite parse(ByteBuffer header) throws InvalidProtocolBufferException {
    return parser.parseFrom(header);
  }
}

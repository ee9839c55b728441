package io.strata.metadata.state;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteOutput;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Our messages (log entries, client requests, queries) parsed straight out of the bytes Ratis hands
 * over as its shaded {@code ByteString}. Parsing through a read-only {@link ByteBuffer} made
 * protobuf copy the whole message first and then every bytes field again (an object's inline data
 * was copied twice per peer before it reached RocksDB, which copies it once more). Here the parser
 * reads the backing array in place and the bytes fields alias it: safe because Ratis' byte strings
 * are immutable, and what the state machine keeps it copies (a stored value goes into the RocksDB
 * batch as a copy).
 */
final class RatisBytes {
  private RatisBytes() {}

  /** A parser over {@code data}'s bytes whose bytes fields alias them, without copying. */
  static CodedInputStream input(ByteString data) {
    Backing b = new Backing();
    try {
      org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWriteTo(data, b);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("writing to memory failed", e);  // Backing never throws
    }
    CodedInputStream in = b.writes == 1 && b.array != null
        ? UnsafeByteOperations.unsafeWrap(b.array, b.offset, b.length).newCodedInput()
        : CodedInputStream.newInstance(data.toByteArray());  // a rope (or empty): parsed from one copy
    in.enableAliasing(true);
    return in;
  }

  /** Counts the writes a byte string makes of itself, keeping the array of a lazy one: a flat string makes exactly one. */
  private static final class Backing extends ByteOutput {
    byte[] array;
    int offset;
    int length;
    int writes;

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      writes++;
      this.array = value;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public void write(byte value) {
      writes++;
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      writes++;
    }

    @Override
    public void write(ByteBuffer value) {
      writes++;
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      writes++;
    }
  }
}

package io.strata.metadata.state;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteOutput;

/**
 * Our messages parsed straight out of Ratis' bytes. Ratis hands over its shaded {@code ByteString};
 * parsing it through a read-only {@link ByteBuffer} made protobuf copy the whole entry first and
 * then every bytes field again (an object's inline data was copied twice per peer before it reached
 * RocksDB, which copies it once more). Here the parser reads the backing array in place and the
 * bytes fields alias it: safe because Ratis' byte strings are immutable, and apply copies what it
 * keeps (a stored value goes into the RocksDB batch as a copy).
 */
final class LogBytes {
  private LogBytes() {}

  /** A parser over {@code data}'s bytes whose bytes fields alias them, without copying. */
  static CodedInputStream input(org.apache.ratis.thirdparty.com.google.protobuf.ByteString data) {
    Backing b = new Backing();
    try {
      org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWriteTo(data, b);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("writing to memory failed", e);  // Backing never throws
    }
    CodedInputStream in = b.pieces == 1
        ? UnsafeByteOperations.unsafeWrap(b.array, b.offset, b.length).newCodedInput()
        : CodedInputStream.newInstance(data.toByteArray());  // a rope (or empty): parsed from one copy
    in.enableAliasing(true);
    return in;
  }

  /** Takes the backing array of a flat byte string (one lazy write); counts the pieces of a rope. */
  private static final class Backing extends ByteOutput {
    byte[] array;
    int offset;
    int length;
    int pieces;

    @Override
    public void write(byte value) {
      pieces += 2;
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      pieces += 2;
    }

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      pieces++;
      this.array = value;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public void write(ByteBuffer value) {
      pieces += 2;
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      pieces += 2;
    }
  }
}

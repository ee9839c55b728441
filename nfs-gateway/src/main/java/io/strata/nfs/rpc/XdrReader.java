package io.strata.nfs.rpc;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * XDR decoding (RFC 4506) over a {@link ByteBuf}: every read checks the bytes are there and every
 * variable-length item is checked against the caller's bound before anything is allocated, so
 * hostile input costs at most the bytes it sent.
 */
public final class XdrReader {
  private final ByteBuf buf;

  public XdrReader(ByteBuf buf) {
    this.buf = buf;
  }

  public ByteBuf buffer() {
    return buf;
  }

  public int remaining() {
    return buf.readableBytes();
  }

  private void need(int n) {
    if (n < 0 || buf.readableBytes() < n) {
      throw new XdrException("truncated: need " + n + " bytes, have " + buf.readableBytes());
    }
  }

  public int readInt() {
    need(4);
    return buf.readInt();
  }

  /** An unsigned int as a non-negative long. */
  public long readUnsignedInt() {
    need(4);
    return buf.readUnsignedInt();
  }

  public long readHyper() {
    need(8);
    return buf.readLong();
  }

  public boolean readBool() {
    int v = readInt();
    if (v != 0 && v != 1) {
      throw new XdrException("bool must be 0 or 1, not " + v);
    }
    return v == 1;
  }

  /** An enum or union discriminant in {@code [0, max]}. */
  public int readEnum(int max) {
    int v = readInt();
    if (v < 0 || v > max) {
      throw new XdrException("discriminant " + v + " outside 0.." + max);
    }
    return v;
  }

  public byte[] readFixedOpaque(int n) {
    need(n + pad(n));
    byte[] b = new byte[n];
    buf.readBytes(b);
    buf.skipBytes(pad(n));
    return b;
  }

  /** Variable-length opaque of at most {@code maxBytes}. */
  public byte[] readOpaque(int maxBytes) {
    int n = readLength(maxBytes);
    byte[] b = new byte[n];
    buf.readBytes(b);
    buf.skipBytes(pad(n));
    return b;
  }

  /** Variable-length opaque as a retained slice of the input (no copy); the caller releases it. */
  public ByteBuf readOpaqueSlice(int maxBytes) {
    int n = readLength(maxBytes);
    ByteBuf slice = buf.readRetainedSlice(n);
    buf.skipBytes(pad(n));
    return slice;
  }

  /** A string as raw bytes carried in ISO-8859-1, so any byte sequence round-trips exactly. */
  public String readString(int maxBytes) {
    return new String(readOpaque(maxBytes), StandardCharsets.ISO_8859_1);
  }

  private int readLength(int maxBytes) {
    long n = readUnsignedInt();
    if (n > maxBytes) {
      throw new XdrException("length " + n + " exceeds " + maxBytes);
    }
    need((int) n + pad((int) n));
    return (int) n;
  }

  public static int pad(int n) {
    return (4 - (n & 3)) & 3;
  }
}

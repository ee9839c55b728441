package io.strata.nfs.rpc;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** XDR encoding (RFC 4506) into a {@link ByteBuf}. */
public final class XdrWriter {
  private static final byte[] ZEROES = new byte[4];
  private final ByteBuf buf;

  public XdrWriter(ByteBuf buf) {
    this.buf = buf;
  }

  public ByteBuf buffer() {
    return buf;
  }

  public XdrWriter writeInt(int v) {
    buf.writeInt(v);
    return this;
  }

  public XdrWriter writeUnsignedInt(long v) {
    buf.writeInt((int) v);
    return this;
  }

  public XdrWriter writeHyper(long v) {
    buf.writeLong(v);
    return this;
  }

  public XdrWriter writeBool(boolean v) {
    buf.writeInt(v ? 1 : 0);
    return this;
  }

  public XdrWriter writeFixedOpaque(byte[] b) {
    buf.writeBytes(b);
    buf.writeBytes(ZEROES, 0, XdrReader.pad(b.length));
    return this;
  }

  public XdrWriter writeOpaque(byte[] b) {
    return writeOpaque(b, 0, b.length);
  }

  public XdrWriter writeOpaque(byte[] b, int offset, int length) {
    buf.writeInt(length);
    buf.writeBytes(b, offset, length);
    buf.writeBytes(ZEROES, 0, XdrReader.pad(length));
    return this;
  }

  /** Writes a string whose chars are bytes (ISO-8859-1), the inverse of {@link XdrReader#readString}. */
  public XdrWriter writeString(String s) {
    return writeOpaque(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Bytes an opaque of {@code n} bytes takes on the wire. */
  public static int opaqueSize(int n) {
    return 4 + n + XdrReader.pad(n);
  }
}

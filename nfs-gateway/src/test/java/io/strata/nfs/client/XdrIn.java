package io.strata.nfs.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** XDR decoding for the test client. */
public final class XdrIn {
  private final ByteBuffer b;

  public XdrIn(byte[] bytes) {
    this.b = ByteBuffer.wrap(bytes);
  }

  public int i32() {
    return b.getInt();
  }

  public long u32() {
    return b.getInt() & 0xffffffffL;
  }

  public long u64() {
    return b.getLong();
  }

  public boolean bool() {
    return b.getInt() != 0;
  }

  public byte[] fixed(int n) {
    byte[] out = new byte[n];
    b.get(out);
    b.position(b.position() + (4 - (n & 3)) % 4);
    return out;
  }

  public byte[] opaque() {
    return fixed(b.getInt());
  }

  public String string() {
    return new String(opaque(), StandardCharsets.ISO_8859_1);
  }

  public int remaining() {
    return b.remaining();
  }
}

package io.strata.nfs.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** XDR encoding for the test client (its own, so a server codec bug cannot hide behind itself). */
public final class XdrOut {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public XdrOut u32(long v) {
    out.write((int) (v >>> 24));
    out.write((int) (v >>> 16));
    out.write((int) (v >>> 8));
    out.write((int) v);
    return this;
  }

  public XdrOut u64(long v) {
    return u32(v >>> 32).u32(v & 0xffffffffL);
  }

  public XdrOut bool(boolean b) {
    return u32(b ? 1 : 0);
  }

  public XdrOut fixed(byte[] b) {
    out.write(b, 0, b.length);
    for (int i = 0; i < (4 - (b.length & 3)) % 4; i++) {
      out.write(0);
    }
    return this;
  }

  public XdrOut opaque(byte[] b) {
    u32(b.length);
    return fixed(b);
  }

  public XdrOut string(String s) {
    return opaque(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  public XdrOut raw(byte[] b) {
    out.write(b, 0, b.length);
    return this;
  }

  public byte[] bytes() {
    return out.toByteArray();
  }
}

package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A deliberately dumb blocking NBD client that can also send what real clients never would. */
public final class RawNbdClient implements AutoCloseable {
  record OptionReply(int option, int type, byte[] data) {}

  public record Reply(int error, long handle, byte[] data) {}

  final Socket socket;
  final DataInputStream in;
  final DataOutputStream out;
  // Written by the sending thread before the request leaves, read by the replying one.
  private final Map<Long, Integer> readLengths = new ConcurrentHashMap<>();

  public RawNbdClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(60_000);
    in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    assertEquals(Nbd.NBDMAGIC, in.readLong());
    assertEquals(Nbd.IHAVEOPT, in.readLong());
    assertEquals(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES, in.readUnsignedShort());
    out.writeInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES);
  }

  void option(int code, byte[] data) throws IOException {
    out.writeLong(Nbd.IHAVEOPT);
    out.writeInt(code);
    out.writeInt(data.length);
    out.write(data);
    out.flush();
  }

  OptionReply optionReply() throws IOException {
    assertEquals(Nbd.OPTION_REPLY_MAGIC, in.readLong());
    int option = in.readInt();
    int type = in.readInt();
    byte[] data = new byte[in.readInt()];
    in.readFully(data);
    return new OptionReply(option, type, data);
  }

  static byte[] goPayload(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return java.nio.ByteBuffer.allocate(6 + n.length).putInt(n.length).put(n).putShort((short) 0).array();
  }

  /** NBD_OPT_GO; returns the export size. */
  public long go(String name) throws IOException {
    option(Nbd.OPT_GO, goPayload(name));
    long size = -1;
    for (OptionReply r = optionReply(); r.type() != Nbd.REP_ACK; r = optionReply()) {
      assertEquals(Nbd.REP_INFO, r.type(), "GO " + name + " refused: " + new String(r.data(), StandardCharsets.UTF_8));
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r.data());
      if (b.getShort() == Nbd.INFO_EXPORT) {
        size = b.getLong();
      }
    }
    return size;
  }

  public void request(int type, int flags, long handle, long offset, long length, byte[] payload) throws IOException {
    if (type == Nbd.CMD_READ) {
      readLengths.put(handle, (int) length);
    }
    out.writeInt(Nbd.REQUEST_MAGIC);
    out.writeShort(flags);
    out.writeShort(type);
    out.writeLong(handle);
    out.writeLong(offset);
    out.writeInt((int) length);
    if (payload != null) {
      out.write(payload);
    }
    out.flush();
  }

  public Reply reply() throws IOException {
    assertEquals(Nbd.SIMPLE_REPLY_MAGIC, in.readInt());
    int error = in.readInt();
    long handle = in.readLong();
    Integer len = readLengths.remove(handle);
    byte[] data = null;
    if (len != null && error == 0) {
      data = new byte[len];
      in.readFully(data);
    }
    return new Reply(error, handle, data);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

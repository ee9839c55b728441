package io.strata.nfs.client;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * A minimal ONC RPC over TCP client for tests: record marking, AUTH_SYS or AUTH_NONE, one call at
 * a time unless the test sends raw records itself.
 */
public class RpcClient implements AutoCloseable {
  public static final int TIMEOUT_MILLIS = 60_000;

  /** A decoded reply: accepted status (or -1 when denied), the rejection, and the results. */
  public record Reply(int xid, boolean accepted, int acceptStat, int rejectStat, int authStat, int low, int high, XdrIn body) {}

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private int nextXid = (int) (System.nanoTime() & 0x7fffffff);
  private int uid;
  private int gid;
  private int[] gids = new int[0];
  private boolean authNone;

  public RpcClient(int port) {
    this(port, null);
  }

  /** Connects from {@code localAddress} (e.g. 127.0.0.2, to be a different client), or any if null. */
  public RpcClient(int port, String localAddress) {
    try {
      socket = localAddress == null ? new Socket(InetAddress.getLoopbackAddress(), port)
          : new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(localAddress), 0);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      socket.setTcpNoDelay(true);
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Subsequent calls carry AUTH_SYS with these ids. */
  public RpcClient as(int uid, int gid, int... gids) {
    this.uid = uid;
    this.gid = gid;
    this.gids = gids.clone();
    this.authNone = false;
    return this;
  }

  public RpcClient anonymous() {
    this.authNone = true;
    return this;
  }

  public byte[] credentials() {
    XdrOut c = new XdrOut().u32(0).string("test-client").u32(uid).u32(gid).u32(gids.length);
    for (int g : gids) {
      c.u32(g);
    }
    return c.bytes();
  }

  public synchronized Reply call(int prog, int vers, int proc, byte[] args) {
    int xid = nextXid++;
    XdrOut m = new XdrOut().u32(xid).u32(0).u32(2).u32(prog).u32(vers).u32(proc);
    if (authNone) {
      m.u32(0).u32(0);
    } else {
      m.u32(1).opaque(credentials());
    }
    m.u32(0).u32(0).raw(args);
    sendRecord(m.bytes());
    return readReply(xid);
  }

  /** Sends one record as a single last fragment. */
  public void sendRecord(byte[] record) {
    sendFragment(record, true);
  }

  public void sendFragment(byte[] data, boolean last) {
    try {
      out.write(ByteBuffer.allocate(4).putInt((last ? 0x80000000 : 0) | data.length).array());
      out.write(data);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void sendBytes(byte[] raw) {
    try {
      out.write(raw);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads replies until the one for {@code xid}. */
  public Reply readReply(int xid) {
    while (true) {
      Reply r = readAnyReply();
      if (r.xid() == xid) {
        return r;
      }
    }
  }

  public Reply readAnyReply() {
    byte[] rec = readRecord();
    XdrIn r = new XdrIn(rec);
    int xid = r.i32();
    r.i32();  // REPLY
    if (r.i32() == 1) {  // MSG_DENIED
      int rs = r.i32();
      if (rs == 0) {
        return new Reply(xid, false, -1, rs, 0, r.i32(), r.i32(), r);
      }
      return new Reply(xid, false, -1, rs, r.i32(), 0, 0, r);
    }
    r.i32();
    r.opaque();  // verifier
    int stat = r.i32();
    if (stat == 2) {
      return new Reply(xid, true, stat, 0, 0, r.i32(), r.i32(), r);
    }
    return new Reply(xid, true, stat, 0, 0, 0, 0, r);
  }

  public byte[] readRecord() {
    try {
      java.io.ByteArrayOutputStream rec = new java.io.ByteArrayOutputStream();
      while (true) {
        int h = in.readInt();
        byte[] frag = new byte[h & 0x7fffffff];
        in.readFully(frag);
        rec.write(frag);
        if ((h & 0x80000000) != 0) {
          return rec.toByteArray();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True if the server closed the connection (reading hits end of stream) within the timeout. */
  public boolean closedByServer() {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  public int nextXid() {
    return nextXid++;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}

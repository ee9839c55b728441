package io.strata.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.strata.minicluster.MiniCluster;
import io.strata.proto.ChunkId;
import io.strata.proto.ChunkStatus;
import io.strata.proto.ReadChunkRequest;
import io.strata.proto.WriteChunkReply;
import io.strata.proto.WriteChunkRequest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Garbage on the data transport port: a frame that cannot be a frame closes that connection and
 * nothing else; a well-formed frame with a bad request gets a protocol-correct error reply.
 * The sentinel chunk stays readable throughout (no crash, no corruption).
 */
class DataTransportMalformedIT {
  static MiniCluster c;
  static ChunkId sentinel;
  static final byte[] SENTINEL = "the sentinel".getBytes();

  @BeforeAll
  static void start() throws Exception {
    c = MiniCluster.builder().build();
    sentinel = c.client().chunks().chunkId(c.poolId(), ByteString.copyFromUtf8("sentinel"), 0);
    c.client().chunks().write(sentinel, ByteString.copyFrom(SENTINEL), true).join();
  }

  @AfterAll
  static void stop() {
    c.close();
  }

  static void stillServes() {
    assertArrayEquals(SENTINEL, c.client().chunks().read(sentinel, 0, 0).join().orElseThrow().toByteArray());
  }

  static Socket connect(int node) throws IOException {
    String[] hp = c.currentMap().getDatanodesList().stream().filter(n -> n.getNodeId().equals("dn" + node))
        .findFirst().orElseThrow().getDataAddress().split(":");
    Socket s = new Socket(hp[0], Integer.parseInt(hp[1]));
    s.setSoTimeout(10_000);
    return s;
  }

  static byte[] frame(int kind, long callId, byte[] header, byte[] payload) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(b)) {
      out.writeInt(1 + 8 + 4 + header.length + payload.length);
      out.writeByte(kind);
      out.writeLong(callId);
      out.writeInt(header.length);
      out.write(header);
      out.write(payload);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return b.toByteArray();
  }

  static byte[] frame(int kind, MessageLite header, byte[] payload) {
    return frame(kind, 7, header.toByteArray(), payload);
  }

  /** Sends bytes and asserts the server closes the connection (EOF or reset), within the timeout. */
  static void assertClosedAfter(byte[] bytes) throws IOException {
    try (Socket s = connect(0)) {
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      try {
        while (s.getInputStream().read() >= 0) {
          // the server sends nothing for a broken frame; drain until it closes
        }
      } catch (SocketException e) {
        // reset: closed too
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server kept a connection that sent a malformed frame");
      }
    }
  }

  @Test
  void framesThatCannotBeFramesCloseTheConnection() throws IOException {
    byte[] junk = new byte[300];
    new Random(42).nextBytes(junk);
    junk[0] = 0x7f;  // a huge length
    assertClosedAfter(junk);
    assertClosedAfter(new byte[] {0, 0, 0, 5, 1, 2, 3, 4, 5});                       // shorter than a frame header
    assertClosedAfter(frame(99, 1, new byte[0], new byte[0]));                        // unknown kind
    assertClosedAfter(frame(1, 1, new byte[] {(byte) 0xff, (byte) 0xff, 1}, new byte[0]));  // unparsable header
    assertClosedAfter(frame(2, WriteChunkReply.getDefaultInstance(), new byte[0]));  // a reply sent by a client
    byte[] headerTooLong = frame(1, 1, new byte[10], new byte[0]);
    headerTooLong[4 + 1 + 8 + 3] = 100;                                                // header length past the frame
    assertClosedAfter(headerTooLong);
    stillServes();
  }

  @Test
  void truncatedFramesAndRandomStreamsHarmNothing() throws IOException {
    Random r = new Random(7);
    for (int i = 0; i < 20; i++) {
      try (Socket s = connect(i % 3)) {
        byte[] f = frame(1, WriteChunkRequest.newBuilder().setId(sentinel).setCrc32C(1).build(), new byte[1000]);
        s.getOutputStream().write(f, 0, r.nextInt(f.length));  // then hang up mid-frame
        byte[] noise = new byte[r.nextInt(2000)];
        r.nextBytes(noise);
        s.getOutputStream().write(noise);
      } catch (SocketException e) {
        // the server may close first
      }
    }
    stillServes();
  }

  @Test
  void wellFormedBadRequestsGetErrorReplies() throws IOException {
    long epoch = c.currentMap().getEpoch();
    try (Socket s = connect(0)) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      out.write(frame(1, WriteChunkRequest.getDefaultInstance(), new byte[0]));  // no chunk id
      assertEquals(ChunkStatus.CHUNK_INVALID, writeReply(in).getStatus());
      out.write(frame(1, WriteChunkRequest.newBuilder().setEpoch(epoch).setId(sentinel).setCrc32C(1).build(),
          "evil".getBytes()));                                                          // bad checksum
      assertEquals(ChunkStatus.CHUNK_CHECKSUM_MISMATCH, writeReply(in).getStatus());
      out.write(frame(1, WriteChunkRequest.newBuilder().setEpoch(epoch).setId(sentinel).setDelete(true).build(),
          "data on a delete".getBytes()));
      assertEquals(ChunkStatus.CHUNK_INVALID, writeReply(in).getStatus());
      ChunkId huge = sentinel.toBuilder().setObjectId(ByteString.copyFrom(new byte[5000])).build();
      out.write(frame(3, ReadChunkRequest.newBuilder().setId(huge).build(), new byte[0]));
      assertTrue(readReplyStatus(in) == ChunkStatus.CHUNK_INVALID);
    }
    stillServes();
  }

  private static WriteChunkReply writeReply(DataInputStream in) throws IOException {
    return WriteChunkReply.parseFrom(replyHeader(in, 2));
  }

  private static ChunkStatus readReplyStatus(DataInputStream in) throws IOException {
    return io.strata.proto.ReadChunkReply.parseFrom(replyHeader(in, 4)).getStatus();
  }

  private static byte[] replyHeader(DataInputStream in, int kind) throws IOException {
    try {
      int length = in.readInt();
      assertEquals(kind, in.readUnsignedByte());
      assertEquals(7, in.readLong());
      byte[] header = new byte[in.readInt()];
      in.readFully(header);
      in.skipNBytes(length - 13 - header.length);
      return header;
    } catch (EOFException e) {
      throw new AssertionError("the server closed instead of answering", e);
    }
  }
}

package io.strata.nfs.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.strata.nfs.client.XdrOut;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The call-header decoder on good, malformed and random input (pure, no sockets). */
class RpcCallDecoderTest {
  static XdrOut header(int rpcvers) {
    return new XdrOut().u32(77).u32(0).u32(rpcvers).u32(100003).u32(3).u32(1);
  }

  static byte[] sysCred(int uid, int gid, int ngids) {
    XdrOut c = new XdrOut().u32(1).string("host").u32(uid).u32(gid).u32(ngids);
    for (int i = 0; i < ngids; i++) {
      c.u32(100 + i);
    }
    return c.bytes();
  }

  static RpcCallDecoder.Decoded decode(byte[] record) {
    ByteBuf b = Unpooled.wrappedBuffer(record);
    try {
      return RpcCallDecoder.decode(b);
    } finally {
      b.release();
    }
  }

  @Test
  void authSysCallIsDecoded() {
    byte[] rec = header(2).u32(1).opaque(sysCred(1000, 100, 3)).u32(0).u32(0).u32(0xabcd).bytes();
    RpcCallDecoder.Call c = assertInstanceOf(RpcCallDecoder.Call.class, decode(rec));
    assertEquals(77, c.call().xid());
    assertEquals(1000, c.call().credentials().uid());
    assertEquals(100, c.call().credentials().gid());
    assertArrayEquals(new int[] {100, 101, 102}, c.call().credentials().gids());
    assertEquals(4, c.call().args().readableBytes());
  }

  @Test
  void authNoneIsAnonymous() {
    byte[] rec = header(2).u32(0).u32(0).u32(0).u32(0).bytes();
    RpcCallDecoder.Call c = assertInstanceOf(RpcCallDecoder.Call.class, decode(rec));
    assertEquals(Credentials.NOBODY, c.call().credentials().uid());
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of("rpc version 3", header(3).u32(0).u32(0).u32(0).u32(0).bytes(), Rpc.RPC_MISMATCH, 0),
        Arguments.of("credential body over 400 bytes", header(2).u32(1).u32(401).raw(new byte[404]).bytes(), Rpc.AUTH_ERROR, Rpc.AUTH_BADCRED),
        Arguments.of("17 groups", header(2).u32(1).opaque(sysCred(1, 1, 17)).u32(0).u32(0).bytes(), Rpc.AUTH_ERROR, Rpc.AUTH_BADCRED),
        Arguments.of("truncated AUTH_SYS", header(2).u32(1).opaque(new byte[6]).u32(0).u32(0).bytes(), Rpc.AUTH_ERROR, Rpc.AUTH_BADCRED),
        Arguments.of("trailing bytes in AUTH_SYS", header(2).u32(1).opaque(new XdrOut().raw(sysCred(1, 1, 0)).u32(5).bytes()).u32(0).u32(0).bytes(), Rpc.AUTH_ERROR, Rpc.AUTH_BADCRED),
        Arguments.of("RPCSEC_GSS", header(2).u32(6).u32(0).u32(0).u32(0).bytes(), Rpc.AUTH_ERROR, Rpc.AUTH_TOOWEAK),
        Arguments.of("verifier missing", header(2).u32(0).u32(0).bytes(), Rpc.AUTH_ERROR, Rpc.AUTH_BADVERF),
        Arguments.of("header cut after the procedure", header(2).bytes(), Rpc.AUTH_ERROR, Rpc.AUTH_BADCRED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void malformedHeadersAreRejectedWithTheRightStatus(String what, byte[] record, int rejectStat, int authStat) {
    RpcCallDecoder.Rejected r = assertInstanceOf(RpcCallDecoder.Rejected.class, decode(record));
    assertEquals(77, r.xid());
    assertEquals(rejectStat, r.rejectStat());
    assertEquals(authStat, r.authStat());
  }

  @Test
  void repliesAndStubsAreDropped() {
    assertInstanceOf(RpcCallDecoder.Dropped.class, decode(new byte[] {1, 2, 3}));
    assertInstanceOf(RpcCallDecoder.Dropped.class, decode(new XdrOut().u32(1).u32(1).u32(0).bytes()));
  }

  @Test
  void randomRecordsNeverThrow() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      byte[] rec = new byte[r.nextInt(120)];
      r.nextBytes(rec);
      if (rec.length > 8 && r.nextBoolean()) {
        System.arraycopy(header(2).bytes(), 0, rec, 0, Math.min(rec.length, 24));
      }
      try {
        decode(rec);
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " record " + java.util.HexFormat.of().formatHex(rec), e);
      }
    }
  }
}

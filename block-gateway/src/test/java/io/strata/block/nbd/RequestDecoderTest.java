package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The transmission framer, including malformed and hostile frames and a seeded fuzz. */
class RequestDecoderTest {
  static ByteBuf header(int magic, int flags, int type, long handle, long offset, long length) {
    return Unpooled.buffer().writeInt(magic).writeShort(flags).writeShort(type).writeLong(handle)
        .writeLong(offset).writeInt((int) length);
  }

  @Test
  void readAndWriteWithPayloadSplitAcrossReads() {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
    ch.writeInbound(header(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, 7, 4096, 512));
    ByteBuf write = header(Nbd.REQUEST_MAGIC, Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE, 8, 0, 10).writeBytes(new byte[10]);
    ch.writeInbound(write.readRetainedSlice(20));
    ch.writeInbound(write.readRetainedSlice(write.readableBytes()));
    write.release();
    NbdRequest read = ch.readInbound();
    assertEquals(7, read.handle());
    assertEquals(512, read.length());
    NbdRequest w = ch.readInbound();
    assertTrue(w.fua());
    assertEquals(10, w.data().readableBytes());
    w.release();
    assertTrue(!ch.finish());
  }

  @Test
  void unsignedFieldsStayUnsigned() {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
    ch.writeInbound(header(Nbd.REQUEST_MAGIC, 0xFFFF, 0xFFFF, -1, -1, 0xFFFFFFFFL));
    NbdRequest r = ch.readInbound();
    assertEquals(0xFFFF, r.type());
    assertEquals(0xFFFFFFFFL, r.length());
    assertEquals(-1, r.offset(), "offsets >= 2^63 arrive negative and fail range checks");
    ch.finish();
  }

  @Test
  void oversizedWriteIsEmittedAsDroppedAndItsPayloadSkipped() {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
    long big = Nbd.MAX_PAYLOAD_BYTES + 1L;
    ch.writeInbound(header(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_WRITE, 1, 0, big));
    NbdRequest r = ch.readInbound();
    assertTrue(r.payloadDropped());
    for (long sent = 0; sent < big; sent += 1 << 20) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[(int) Math.min(1 << 20, big - sent)]));
    }
    ch.writeInbound(header(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_FLUSH, 2, 0, 0));
    assertEquals(2, ((NbdRequest) ch.readInbound()).handle());
    assertTrue(!ch.finish());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 0x67446698, 0x25609514, -1})
  void badMagicIsMalformed(int magic) {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
    ch.writeInbound(header(magic, 0, Nbd.CMD_READ, 1, 0, 512));
    assertInstanceOf(HandshakeMessage.Malformed.class, ch.readInbound());
    ch.writeInbound(header(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, 1, 0, 512));
    assertNull(ch.readInbound());
    assertTrue(!ch.finish());
  }

  @Test
  void randomBytesNeverThrowOrLeak() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    for (int round = 0; round < 200; round++) {
      EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
      ByteBuf b = Unpooled.buffer();
      if (rnd.nextBoolean()) {
        b.writeBytes(header(Nbd.REQUEST_MAGIC, rnd.nextInt(), rnd.nextInt(8), rnd.nextLong(), rnd.nextLong(), rnd.nextInt(1 << 16)));
      }
      byte[] junk = new byte[rnd.nextInt(300)];
      rnd.nextBytes(junk);
      b.writeBytes(junk);
      try {
        ch.writeInbound(b);
        for (Object m; (m = ch.readInbound()) != null; ) {
          if (m instanceof NbdRequest r) {
            r.release();
          }
          ReferenceCountUtil.release(m);
        }
        ch.finishAndReleaseAll();
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " round " + round, e);
      }
    }
  }
}

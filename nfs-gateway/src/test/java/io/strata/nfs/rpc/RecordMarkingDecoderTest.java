package io.strata.nfs.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Record marking without sockets, under paranoid leak detection (set for every test run). */
class RecordMarkingDecoderTest {
  static final int MAX = 4096;

  static byte[] fragment(byte[] body, boolean last) {
    return ByteBuffer.allocate(4 + body.length).putInt((last ? 0x80000000 : 0) | body.length).put(body).array();
  }

  static String take(EmbeddedChannel ch) {
    ByteBuf b = ch.readInbound();
    if (b == null) {
      return null;
    }
    try {
      return b.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    } finally {
      b.release();
    }
  }

  @Test
  void oneFragmentIsOneRecord() {
    EmbeddedChannel ch = new EmbeddedChannel(new RecordMarkingDecoder(MAX));
    ch.writeInbound(Unpooled.wrappedBuffer(fragment("abcd".getBytes(), true)));
    assertEquals("abcd", take(ch));
    assertNull(take(ch));
    assertFalse(ch.finish());
  }

  @Test
  void fragmentsAreReassembledEvenFedOneByteAtATime() {
    EmbeddedChannel ch = new EmbeddedChannel(new RecordMarkingDecoder(MAX));
    byte[] all = concat(fragment("he".getBytes(), false), fragment(new byte[0], false),
        fragment("llo".getBytes(), false), fragment("!".getBytes(), true), fragment("next".getBytes(), true));
    for (byte b : all) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    assertEquals("hello!", take(ch));
    assertEquals("next", take(ch));
    assertNull(take(ch));
    assertFalse(ch.finish());
  }

  /** The way a 1 MiB WRITE arrives: its fragment in socket-sized reads, the next record's start in the last one. */
  @Test
  void aLargeFragmentArrivingInPiecesIsOneRecord() {
    EmbeddedChannel ch = new EmbeddedChannel(new RecordMarkingDecoder(2 << 20));
    byte[] body = new byte[1 << 20];
    new Random(7).nextBytes(body);
    byte[] all = concat(fragment(body, true), fragment("next".getBytes(), true));
    for (int off = 0; off < all.length; off += 65_000) {
      ch.writeInbound(Unpooled.copiedBuffer(all, off, Math.min(65_000, all.length - off)));
    }
    ByteBuf record = ch.readInbound();
    try {
      byte[] got = new byte[record.readableBytes()];
      record.readBytes(got);
      assertEquals(ByteBuffer.wrap(body), ByteBuffer.wrap(got));
    } finally {
      record.release();
    }
    assertEquals("next", take(ch));
    assertNull(take(ch));
    assertFalse(ch.finish());
  }

  @Test
  void anOversizedRecordFailsTheConnectionWithoutBufferingIt() {
    EmbeddedChannel ch = new EmbeddedChannel(new RecordMarkingDecoder(MAX));
    ByteBuf huge = Unpooled.buffer().writeInt(0x80000000 | 0x7fffffff).writeBytes(new byte[16]);
    assertThrows(TooLongFrameException.class, () -> ch.writeInbound(huge));
    ch.finishAndReleaseAll();
  }

  @Test
  void fragmentsAddingUpPastTheLimitFailToo() {
    EmbeddedChannel ch = new EmbeddedChannel(new RecordMarkingDecoder(MAX));
    ch.writeInbound(Unpooled.wrappedBuffer(fragment(new byte[3000], false)));
    assertThrows(TooLongFrameException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(fragment(new byte[3000], true))));
    ch.finishAndReleaseAll();
  }

  @Test
  void tooManyFragmentsFail() {
    EmbeddedChannel ch = new EmbeddedChannel(new RecordMarkingDecoder(MAX));
    ByteBuf many = Unpooled.buffer();
    for (int i = 0; i <= RecordMarkingDecoder.MAX_FRAGMENTS; i++) {
      many.writeInt(0);
    }
    assertThrows(TooLongFrameException.class, () -> ch.writeInbound(many));
    ch.finishAndReleaseAll();
  }

  @Test
  void randomBytesNeverLeakOrThrowAnythingElse() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    for (int round = 0; round < 300; round++) {
      EmbeddedChannel ch = new EmbeddedChannel(new RecordMarkingDecoder(MAX));
      try {
        for (int i = 0; i < 10; i++) {
          byte[] junk = new byte[r.nextInt(64)];
          r.nextBytes(junk);
          if (r.nextBoolean() && junk.length >= 4) {
            junk[0] = (byte) (r.nextBoolean() ? 0x80 : 0);
            junk[1] = 0;
            junk[2] = 0;
          }
          ch.writeInbound(Unpooled.wrappedBuffer(junk));
          for (Object o; (o = ch.readInbound()) != null; ) {
            ((ByteBuf) o).release();
          }
        }
      } catch (DecoderException e) {
        assertInstanceOf(TooLongFrameException.class, e, "seed " + seed);
      } finally {
        ch.finishAndReleaseAll();
      }
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }
}

package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The negotiation framer on EmbeddedChannel: no sockets, paranoid leak detection from the pom. */
class HandshakeDecoderTest {
  static ByteBuf option(long magic, int code, byte[] data) {
    return Unpooled.buffer().writeLong(magic).writeInt(code).writeInt(data.length).writeBytes(data);
  }

  static void feedByteByByte(EmbeddedChannel ch, ByteBuf all) {
    while (all.isReadable()) {
      ch.writeInbound(all.readRetainedSlice(1));
    }
    all.release();
  }

  @Test
  void decodesFlagsAndOptionsEvenOneByteAtATime() {
    EmbeddedChannel ch = new EmbeddedChannel(new HandshakeDecoder());
    ByteBuf in = Unpooled.buffer().writeInt(3)
        .writeBytes(option(Nbd.IHAVEOPT, Nbd.OPT_LIST, new byte[0]))
        .writeBytes(option(Nbd.IHAVEOPT, Nbd.OPT_EXPORT_NAME, "vol".getBytes(StandardCharsets.UTF_8)));
    feedByteByByte(ch, in);
    assertEquals(new HandshakeMessage.ClientFlags(3), ch.readInbound());
    HandshakeMessage.Option list = ch.readInbound();
    assertEquals(Nbd.OPT_LIST, list.code());
    list.data().release();
    HandshakeMessage.Option name = ch.readInbound();
    assertEquals("vol", name.data().toString(StandardCharsets.UTF_8));
    name.data().release();
    assertNull(ch.readInbound());
    assertFalse(ch.finish());
  }

  @Test
  void badMagicIsMalformedAndStopsDecoding() {
    EmbeddedChannel ch = new EmbeddedChannel(new HandshakeDecoder());
    ch.writeInbound(Unpooled.buffer().writeInt(1).writeBytes(option(0x1234L, Nbd.OPT_GO, new byte[8])));
    ch.readInbound();
    assertInstanceOf(HandshakeMessage.Malformed.class, ch.readInbound());
    ch.writeInbound(option(Nbd.IHAVEOPT, Nbd.OPT_LIST, new byte[0]));
    assertNull(ch.readInbound(), "nothing after a lost frame boundary");
    assertFalse(ch.finish());
  }

  @Test
  void oversizedOptionIsSkippedWithoutBufferingAndTheNextOneDecodes() {
    EmbeddedChannel ch = new EmbeddedChannel(new HandshakeDecoder());
    int big = Nbd.MAX_OPTION_BYTES + 1000;
    ch.writeInbound(Unpooled.buffer().writeInt(1).writeLong(Nbd.IHAVEOPT).writeInt(Nbd.OPT_GO).writeInt(big));
    ch.readInbound();
    HandshakeMessage.OversizedOption o = ch.readInbound();
    assertEquals(big, o.length());
    for (int sent = 0; sent < big; sent += 4096) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[Math.min(4096, big - sent)]));
    }
    ch.writeInbound(option(Nbd.IHAVEOPT, Nbd.OPT_ABORT, new byte[0]));
    HandshakeMessage.Option abort = ch.readInbound();
    assertEquals(Nbd.OPT_ABORT, abort.code());
    abort.data().release();
    assertFalse(ch.finish());
  }

  @Test
  void huge32BitLengthIsNotAllocated() {
    EmbeddedChannel ch = new EmbeddedChannel(new HandshakeDecoder());
    ch.writeInbound(Unpooled.buffer().writeInt(1).writeLong(Nbd.IHAVEOPT).writeInt(99).writeInt(-1));
    ch.readInbound();
    assertEquals(0xFFFFFFFFL, ((HandshakeMessage.OversizedOption) ch.readInbound()).length());
    assertFalse(ch.finish());
  }

  @Test
  void truncatedOptionEmitsNothingAndLeaksNothing() {
    EmbeddedChannel ch = new EmbeddedChannel(new HandshakeDecoder());
    ch.writeInbound(Unpooled.buffer().writeInt(1).writeLong(Nbd.IHAVEOPT).writeInt(Nbd.OPT_GO).writeInt(100).writeBytes(new byte[10]));
    ch.readInbound();
    assertNull(ch.readInbound());
    assertFalse(ch.finish());
  }
}

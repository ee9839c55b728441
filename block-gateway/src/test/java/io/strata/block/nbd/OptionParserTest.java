package io.strata.block.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.ByteBufUtil;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** NBD_OPT_INFO/GO payloads: well-formed ones give the name, every malformed one gives nothing. */
class OptionParserTest {
  @ParameterizedTest
  @CsvSource({
      "00000003 766f6c 0000, vol",
      "00000003 766f6c 0002 0000 0003, vol",
      "00000000 0000, ''",
  })
  void wellFormed(String hex, String name) {
    ByteBuf b = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    assertEquals(Optional.of(name), OptionParser.exportName(b));
    b.release();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",                          // empty
      "0000",                      // short length field
      "00000003 766f6c",           // no request count
      "00000004 766f6c 0000",      // name longer than the payload
      "ffffffff 766f6c 0000",      // absurd name length
      "00000003 766f6c 0001",      // one request announced, none sent
      "00000003 766f6c 0000 00",   // trailing byte
      "00000003 766f6c 0001 000000", // odd trailing bytes
  })
  void malformed(String hex) {
    ByteBuf b = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    assertTrue(OptionParser.exportName(b).isEmpty(), hex);
    b.release();
  }
}

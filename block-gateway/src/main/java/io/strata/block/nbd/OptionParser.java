package io.strata.block.nbd;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Parses option payloads; pure, and strict about lengths (spec: mismatches are NBD_REP_ERR_INVALID). */
final class OptionParser {
  private OptionParser() {}

  /**
   * The export name of an NBD_OPT_INFO/GO payload: 32-bit name length, name, 16-bit count of
   * information requests, that many 16-bit requests (which we do not need: we always send
   * NBD_INFO_EXPORT and NBD_INFO_BLOCK_SIZE). Empty if the lengths do not add up.
   */
  static Optional<String> exportName(ByteBuf data) {
    ByteBuf d = data.duplicate();
    if (d.readableBytes() < 6) {
      return Optional.empty();
    }
    long nameLength = d.readUnsignedInt();
    if (nameLength > d.readableBytes() - 2) {
      return Optional.empty();
    }
    String name = d.readCharSequence((int) nameLength, StandardCharsets.UTF_8).toString();
    int requests = d.readUnsignedShort();
    if (d.readableBytes() != requests * 2) {
      return Optional.empty();
    }
    return Optional.of(name);
  }
}

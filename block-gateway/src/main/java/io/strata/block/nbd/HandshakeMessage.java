package io.strata.block.nbd;

import io.netty.buffer.ByteBuf;

/** What {@link HandshakeDecoder} produces: pure data, no I/O. */
public sealed interface HandshakeMessage {
  /** The 32-bit client flags that follow the server greeting. */
  record ClientFlags(int flags) implements HandshakeMessage {}

  /** One option; the handler must release {@code data}. */
  record Option(int code, ByteBuf data) implements HandshakeMessage {}

  /** An option whose payload exceeded {@link Nbd#MAX_OPTION_BYTES}; its bytes were skipped. */
  record OversizedOption(int code, long length) implements HandshakeMessage {}

  /** Input we cannot resynchronise after; the connection must be closed. */
  record Malformed(String reason) implements HandshakeMessage {}
}

package io.strata.block.nbd;

import io.netty.buffer.ByteBuf;

/**
 * One transmission-phase request. {@code offset} and {@code length} are the unsigned wire values
 * (an offset with the top bit set arrives negative and is rejected by range checks). For WRITE,
 * {@code data} holds the payload (the handler releases it) unless the payload was larger than
 * {@link Nbd#MAX_PAYLOAD_BYTES}, in which case it was skipped and {@code payloadDropped} is set.
 */
public record NbdRequest(int flags, int type, long handle, long offset, long length, ByteBuf data,
                         boolean payloadDropped) {
  public boolean fua() {
    return (flags & Nbd.CMD_FLAG_FUA) != 0;
  }

  public void release() {
    if (data != null) {
      data.release();
    }
  }
}

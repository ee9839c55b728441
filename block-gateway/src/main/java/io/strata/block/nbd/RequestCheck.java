package io.strata.block.nbd;

/**
 * Which requests are refused before touching storage, and with which errno. Pure, so that every
 * malformed request is unit-tested without a socket.
 */
final class RequestCheck {
  private RequestCheck() {}

  /** 0 if the request may run, otherwise the errno to reply with. */
  static int errno(NbdRequest r, long sizeBytes, boolean readOnly) {
    long end = r.offset() + r.length();
    boolean outside = r.offset() < 0 || end < r.offset() || end > sizeBytes;
    return switch (r.type()) {
      case Nbd.CMD_READ -> r.length() > Nbd.MAX_PAYLOAD_BYTES || outside ? Nbd.EINVAL : 0;
      case Nbd.CMD_WRITE -> {
        if (r.payloadDropped() || r.length() > Nbd.MAX_PAYLOAD_BYTES) {
          yield Nbd.EOVERFLOW;
        }
        yield readOnly ? Nbd.EPERM : outside ? Nbd.ENOSPC : 0;
      }
      case Nbd.CMD_WRITE_ZEROES -> readOnly ? Nbd.EPERM : outside ? Nbd.ENOSPC : 0;
      case Nbd.CMD_TRIM -> readOnly ? Nbd.EPERM : outside ? Nbd.EINVAL : 0;
      case Nbd.CMD_FLUSH, Nbd.CMD_DISC -> 0;
      default -> Nbd.EINVAL;
    };
  }
}

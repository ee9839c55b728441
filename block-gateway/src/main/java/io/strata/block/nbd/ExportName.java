package io.strata.block.nbd;

import io.strata.block.volume.VolumeException;

/**
 * What an NBD export name asks for, parsed apart from serving it. Volume names never contain
 * {@code @}, so the first one separates the volume from the attachment the connection acts for:
 * <ul>
 *   <li>{@code NAME}: the gateway's own SHARED attachment (ad-hoc use: qemu-img, fio, nbdcopy);
 *   <li>{@code NAME@ro}: the gateway's own READ_ONLY attachment;
 *   <li>{@code NAME@HOLDER}: an attachment made beforehand by {@code volume attach} (or CSI) for
 *       HOLDER; its mode decides read-only, its epoch is the fence token of every write.
 * </ul>
 */
record ExportName(String volume, String holder) {
  static final String READ_ONLY = "ro";

  static ExportName parse(String exportName) {
    int at = exportName.indexOf('@');
    if (at < 0) {
      return new ExportName(exportName, null);
    }
    String holder = exportName.substring(at + 1);
    if (holder.isEmpty()) {
      throw new VolumeException(io.strata.block.volume.VolumeError.INVALID_ARGUMENT,
          "export '" + exportName + "' names no holder after '@'");
    }
    return new ExportName(exportName.substring(0, at), holder);
  }

  boolean readOnlyOwn() {
    return READ_ONLY.equals(holder);
  }

  /** Whether the connection uses an attachment someone else made (and will remove). */
  boolean external() {
    return holder != null && !readOnlyOwn();
  }
}

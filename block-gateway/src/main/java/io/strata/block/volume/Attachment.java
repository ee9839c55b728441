package io.strata.block.volume;

/**
 * One holder of a volume: a host, VM or gateway connection. An exclusive attachment carries the
 * fencing epoch it was granted; a newer exclusive attach raises the volume's epoch and so fences it.
 */
public record Attachment(String holder, AttachMode mode, long epoch) {
  public enum AttachMode { EXCLUSIVE, SHARED, READ_ONLY }

  public Attachment {
    Volume.checkToken(holder, "attachment holder");
  }

  String encode() {
    return holder + "," + mode + "," + epoch;
  }

  static Attachment decode(String s) {
    String[] p = s.split(",", -1);
    if (p.length != 3) {
      throw new IllegalArgumentException("bad attachment '" + s + "'");
    }
    return new Attachment(p[0], AttachMode.valueOf(p[1]), Long.parseLong(p[2]));
  }
}

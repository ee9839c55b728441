package io.strata.nfs.rpc;

import java.util.Arrays;

/**
 * Who sent a call: the AUTH_SYS identity (RFC 5531 appendix A), or the anonymous identity for
 * AUTH_NONE. Group list bounded at {@link #MAX_GIDS} by the protocol.
 */
public record Credentials(int flavor, int uid, int gid, int[] gids, String machine) {
  public static final int AUTH_NONE = 0;
  public static final int AUTH_SYS = 1;
  public static final int MAX_GIDS = 16;
  public static final int MAX_MACHINE_NAME_BYTES = 255;
  public static final int NOBODY = 65534;

  public static final Credentials ANONYMOUS = new Credentials(AUTH_NONE, NOBODY, NOBODY, new int[0], "");

  public static Credentials sys(int uid, int gid, int... gids) {
    return new Credentials(AUTH_SYS, uid, gid, gids.clone(), "");
  }

  public boolean inGroup(int g) {
    if (gid == g) {
      return true;
    }
    for (int x : gids) {
      if (x == g) {
        return true;
      }
    }
    return false;
  }

  /** The same caller with uid/gid 0 mapped to the anonymous id (export root squash). */
  public Credentials squashRoot() {
    if (uid != 0 && gid != 0 && Arrays.stream(gids).noneMatch(g -> g == 0)) {
      return this;
    }
    int[] g = Arrays.stream(gids).map(x -> x == 0 ? NOBODY : x).toArray();
    return new Credentials(flavor, uid == 0 ? NOBODY : uid, gid == 0 ? NOBODY : gid, g, machine);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Credentials c && c.flavor == flavor && c.uid == uid && c.gid == gid
        && Arrays.equals(c.gids, gids) && c.machine.equals(machine);
  }

  @Override
  public int hashCode() {
    return (flavor * 31 + uid) * 31 + gid;
  }

  @Override
  public String toString() {
    return (flavor == AUTH_SYS ? "sys" : "none") + "(uid=" + uid + ",gid=" + gid + ",gids=" + Arrays.toString(gids) + ")";
  }
}

package io.strata.nfs.fs;

import java.util.Arrays;

/** The identity an operation is checked against (after export squashing). */
public record Caller(int uid, int gid, int[] gids) {
  public static final Caller ROOT = new Caller(0, 0, new int[0]);

  public boolean isRoot() {
    return uid == 0;
  }

  public boolean inGroup(int g) {
    return gid == g || Arrays.stream(gids).anyMatch(x -> x == g);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Caller c && c.uid == uid && c.gid == gid && Arrays.equals(c.gids, gids);
  }

  @Override
  public int hashCode() {
    return uid * 31 + gid;
  }

  @Override
  public String toString() {
    return "uid=" + uid + " gid=" + gid + " gids=" + Arrays.toString(gids);
  }
}

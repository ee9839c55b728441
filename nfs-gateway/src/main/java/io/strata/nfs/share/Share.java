package io.strata.nfs.share;

import java.net.InetAddress;
import java.util.List;

/**
 * An NFS export: one file system with its size limit and who may mount it. {@code fsid} names
 * the file system in handles and keys; it is never reused, so a re-created share's handles
 * differ from the old one's.
 */
public record Share(String name, long fsid, long rootIno, long sizeBytes, List<ClientRule> clients,
                    boolean readOnly, boolean rootSquash, long createdMillis) {
  public static final int MAX_NAME_CHARS = 64;

  public boolean allows(InetAddress client) {
    return clients.stream().anyMatch(r -> r.matches(client));
  }

  public String exportPath() {
    return "/" + name;
  }

  public static void checkName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_NAME_CHARS - 1) + "}")) {
      throw new IllegalArgumentException("share name must be 1.." + MAX_NAME_CHARS
          + " of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
  }
}

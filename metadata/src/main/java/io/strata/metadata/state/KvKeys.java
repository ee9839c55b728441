package io.strata.metadata.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Layout of the generic key space: {@code namespace 0x00 key}, so a namespace is one range. */
public final class KvKeys {
  private KvKeys() {}

  public static byte[] key(String namespace, byte[] key) {
    byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(ns, ns.length + 1 + key.length);
    System.arraycopy(key, 0, out, ns.length + 1, key.length);
    return out;
  }

  public static byte[] userKey(String namespace, byte[] stored) {
    int skip = namespace.getBytes(StandardCharsets.UTF_8).length + 1;
    return Arrays.copyOfRange(stored, skip, stored.length);
  }

  static String validate(String namespace, int keyBytes) {
    if (namespace.isEmpty() || namespace.indexOf('\0') >= 0 || namespace.length() > 128) {
      return "namespace must be 1..128 characters without NUL";
    }
    if (keyBytes > KvCommands.MAX_KEY_BYTES) {
      return "key larger than " + KvCommands.MAX_KEY_BYTES + " bytes";
    }
    return null;
  }
}

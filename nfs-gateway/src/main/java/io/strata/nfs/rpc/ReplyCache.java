package io.strata.nfs.rpc;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The duplicate request cache for non-idempotent procedures (CREATE, REMOVE, RENAME, ...): a
 * client that times out sends the same call again, often on a new connection after a reconnect.
 * Executing it twice would answer EXIST or NOENT for something that succeeded, so the first
 * reply is kept and sent again. Keyed by client address (not port), xid, program, version,
 * procedure and a checksum of the arguments; bounded in entries and time.
 */
final class ReplyCache {
  static final int MAX_ENTRIES = 4096;
  static final long TTL_NANOS = 120_000_000_000L;

  record Key(InetAddress client, int xid, int program, int version, int procedure, int argsCrc) {}

  /** An entry: in progress (reply null) or done. */
  private static final class Entry {
    byte[] reply;
    final long createdNanos = System.nanoTime();
  }

  /** What to do with a call. */
  enum Decision { EXECUTE, IN_PROGRESS, REPLAY }

  private final Map<Key, Entry> entries = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Entry> e) {
      return size() > MAX_ENTRIES;
    }
  };

  /** Registers the call; a repeat of a finished one gets its reply via {@link #reply}. */
  synchronized Decision begin(Key k) {
    Entry e = entries.get(k);
    if (e != null && System.nanoTime() - e.createdNanos > TTL_NANOS) {
      entries.remove(k);
      e = null;
    }
    if (e == null) {
      entries.put(k, new Entry());
      return Decision.EXECUTE;
    }
    return e.reply == null ? Decision.IN_PROGRESS : Decision.REPLAY;
  }

  synchronized byte[] reply(Key k) {
    Entry e = entries.get(k);
    return e == null ? null : e.reply;
  }

  synchronized void done(Key k, byte[] reply) {
    Entry e = entries.get(k);
    if (e != null) {
      e.reply = reply;
    }
  }

  /** The call failed without a reply worth keeping (e.g. SYSTEM_ERR): let a retry execute. */
  synchronized void forget(Key k) {
    entries.remove(k);
  }
}

package io.strata.block.nbd;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests of one connection that have started and not been answered, keyed by a sequence
 * number of ours (clients may reuse handles). Removing an entry is the right to answer it, so a
 * request gets exactly one reply: from its completion or, if that never comes in time, from the
 * watchdog, whichever removes it first. Confined to the connection's event loop.
 */
final class PendingRequests {
  record Pending(long id, int type, long handle, long offset, long length, long bytes, long startNanos) {
    String describe() {
      return "command " + type + " handle " + Long.toHexString(handle) + " at " + offset + "+" + length;
    }
  }

  private final Map<Long, Pending> pending = new LinkedHashMap<>();  // insertion = start order
  private long nextId;
  private long bytes;

  Pending add(NbdRequest r, long payloadBytes, long nowNanos) {
    Pending p = new Pending(nextId++, r.type(), r.handle(), r.offset(), r.length(), payloadBytes, nowNanos);
    pending.put(p.id(), p);
    bytes += payloadBytes;
    return p;
  }

  /** The entry, now answered by the caller; null if someone already answered it. */
  Pending remove(long id) {
    Pending p = pending.remove(id);
    if (p != null) {
      bytes -= p.bytes();
    }
    return p;
  }

  /** Removes and returns the requests started before {@code nowNanos - timeoutNanos}. */
  List<Pending> expired(long nowNanos, long timeoutNanos) {
    List<Pending> out = new ArrayList<>();
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (nowNanos - p.startNanos() < timeoutNanos) {
        break;  // later entries started later
      }
      it.remove();
      bytes -= p.bytes();
      out.add(p);
    }
    return out;
  }

  int count() {
    return pending.size();
  }

  long bytes() {
    return bytes;
  }
}

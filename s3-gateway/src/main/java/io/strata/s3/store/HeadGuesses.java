package io.strata.s3.store;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The heads this gateway last committed, kept as first guesses for the next unconditional PUT of
 * the same key. A PUT's transaction requires the head it was built on (by version), so a guess
 * that another gateway has since made stale is refused and the refusal carries the real head:
 * a wrong guess costs one retry, never a wrong write. Without it an overwrite guessed "new key"
 * and always paid two commits. Never used to answer a request or to check a caller's
 * precondition (If-Match and friends read the live head).
 *
 * <p>Kept encoded (the bytes that were committed, so a guess is exactly the stored record and
 * shares no buffer with a request) and bounded by entries and by bytes (a record may carry up to
 * 16 KiB of inline data); the least recently used guesses go first.
 */
final class HeadGuesses {
  static final int MAX_ENTRIES = 50_000;
  static final long MAX_BYTES = 32L << 20;
  /** Key string and map overhead, roughly, beyond the encoded record. */
  private static final int ENTRY_OVERHEAD_BYTES = 256;

  private final int maxEntries;
  private final long maxBytes;
  private final LinkedHashMap<String, Versioned<byte[]>> heads = new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;

  HeadGuesses() {
    this(MAX_ENTRIES, MAX_BYTES);
  }

  HeadGuesses(int maxEntries, long maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /** The head this gateway committed last for the key, if it still remembers it. */
  Optional<Versioned<ObjectRecord>> guess(String bucket, String key) {
    Versioned<byte[]> g;
    synchronized (this) {
      g = heads.get(name(bucket, key));
    }
    return g == null ? Optional.empty() : Optional.of(new Versioned<>(ObjectRecord.decode(g.value()), g.version()));
  }

  /** {@code encoded} is the head record as committed, {@code version} the index that wrote it. */
  synchronized void remember(String bucket, String key, byte[] encoded, long version) {
    Versioned<byte[]> head = new Versioned<>(encoded, version);
    long size = weight(head);
    if (size > maxBytes) {
      forget(bucket, key);
      return;
    }
    Versioned<byte[]> old = heads.put(name(bucket, key), head);
    bytes += size - (old == null ? 0 : weight(old));
    Iterator<Map.Entry<String, Versioned<byte[]>>> eldest = heads.entrySet().iterator();
    while ((heads.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
      bytes -= weight(eldest.next().getValue());
      eldest.remove();
    }
  }

  synchronized void forget(String bucket, String key) {
    Versioned<byte[]> old = heads.remove(name(bucket, key));
    if (old != null) {
      bytes -= weight(old);
    }
  }

  synchronized int size() {
    return heads.size();
  }

  synchronized long bytes() {
    return bytes;
  }

  private static String name(String bucket, String key) {
    return bucket + '/' + key;  // bucket names cannot contain '/', so this is unambiguous
  }

  private static long weight(Versioned<byte[]> head) {
    return ENTRY_OVERHEAD_BYTES + head.value().length;
  }
}

package io.strata.nfs.mount;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who mounted what (for MOUNT DUMP): advisory, in memory, bounded. NFS itself is stateless, so
 * nothing depends on this list.
 */
final class MountTable {
  static final int MAX_ENTRIES = 10_000;

  record Mount(String host, String path) {}

  private final Map<String, Set<String>> byHost = new LinkedHashMap<>();
  private int size;

  synchronized void add(String host, String path) {
    if (size >= MAX_ENTRIES) {
      return;
    }
    if (byHost.computeIfAbsent(host, h -> new LinkedHashSet<>()).add(path)) {
      size++;
    }
  }

  synchronized void remove(String host, String path) {
    Set<String> s = byHost.get(host);
    if (s != null && s.remove(path)) {
      size--;
      if (s.isEmpty()) {
        byHost.remove(host);
      }
    }
  }

  synchronized void removeAll(String host) {
    Set<String> s = byHost.remove(host);
    if (s != null) {
      size -= s.size();
    }
  }

  synchronized List<Mount> all() {
    List<Mount> out = new ArrayList<>();
    byHost.forEach((h, paths) -> paths.forEach(p -> out.add(new Mount(h, p))));
    return out;
  }
}

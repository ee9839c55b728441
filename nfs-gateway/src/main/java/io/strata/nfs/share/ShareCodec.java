package io.strata.nfs.share;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Share records as {@code key=value} lines (readable in a metadata dump, easy to extend). */
final class ShareCodec {
  private ShareCodec() {}

  static byte[] encode(Share s) {
    StringBuilder b = new StringBuilder();
    b.append("name=").append(s.name()).append('\n')
        .append("fsid=").append(s.fsid()).append('\n')
        .append("root=").append(s.rootIno()).append('\n')
        .append("size=").append(s.sizeBytes()).append('\n')
        .append("clients=").append(String.join(",", s.clients().stream().map(ClientRule::text).toList())).append('\n')
        .append("access=").append(s.readOnly() ? "ro" : "rw").append('\n')
        .append("squash=").append(s.rootSquash() ? "root" : "none").append('\n')
        .append("created=").append(s.createdMillis()).append('\n');
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static Share decode(byte[] bytes) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        f.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    List<ClientRule> clients = new ArrayList<>();
    for (String c : f.getOrDefault("clients", "").split(",")) {
      if (!c.isBlank()) {
        clients.add(ClientRule.parse(c));
      }
    }
    return new Share(f.get("name"), Long.parseLong(f.get("fsid")), Long.parseLong(f.get("root")),
        Long.parseLong(f.get("size")), List.copyOf(clients), "ro".equals(f.get("access")),
        !"none".equals(f.get("squash")), Long.parseLong(f.getOrDefault("created", "0")));
  }
}

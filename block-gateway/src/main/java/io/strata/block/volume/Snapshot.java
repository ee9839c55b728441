package io.strata.block.volume;

import io.strata.block.data.LayerFormat;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A frozen, named point-in-time image of a volume: the volume's layer chain at that moment
 * (top first). Its layers are never written again, so clones can share them. It outlives the
 * volume it was taken from; its own id is the volume's id at the time, never reused.
 */
public record Snapshot(String name, String volumeName, long volumeId, long sizeBytes, long createdMillis,
                       List<Long> layers, LayerFormat format) {
  public Snapshot {
    Volume.checkName(name);
    Volume.checkName(volumeName);
    layers = List.copyOf(layers);
    format = format == null ? LayerFormat.V1 : format;
  }

  byte[] encode() {
    return ("name=" + name + "\nvolume=" + volumeName + "\nvolumeId=" + volumeId + "\nsize=" + sizeBytes
        + "\ncreated=" + createdMillis + "\nlayers=" + Volume.joinIds(layers) + "\nformat=" + format.version() + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  static Snapshot decode(byte[] bytes) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        f.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return new Snapshot(f.get("name"), f.get("volume"), Long.parseLong(f.get("volumeId")),
        Long.parseLong(f.get("size")), Long.parseLong(f.getOrDefault("created", "0")),
        Volume.parseIds(f.getOrDefault("layers", "")), LayerFormat.of(Integer.parseInt(f.getOrDefault("format", "1"))));
  }
}

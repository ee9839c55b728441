package io.strata.block.volume;

import io.strata.block.data.LayerFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A volume as stored in the metadata service. The name is what clients see (the NBD export
 * name); the id is allocated once and names the data, so a volume deleted and re-created under
 * the same name never sees the old blocks. Stored as {@code key=value} lines: readable in a
 * metadata dump and tolerant of fields added later.
 */
public record Volume(String name, long id, long sizeBytes, long createdMillis, long epoch,
                     List<Attachment> attachments, List<Long> layers, LayerFormat format) {
  public static final int BLOCK_SIZE_BYTES = 4096;
  /** 64 TiB: block indexes stay far from overflow and allocation maps stay bounded. */
  public static final long MAX_SIZE_BYTES = 64L << 40;
  public static final int MAX_ATTACHMENTS = 64;
  /** Snapshots and clones stack layers; every read of a hole looks at each, so keep chains short. */
  public static final int MAX_LAYERS = 32;
  /** Volume names: no '@' or ':', which export names and holder ids use as separators. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

  public Volume {
    checkName(name);
    checkSize(sizeBytes);
    attachments = List.copyOf(attachments);
    layers = layers == null || layers.isEmpty() ? List.of(id) : List.copyOf(layers);
    format = format == null ? LayerFormat.V1 : format;
    if (layers.size() > MAX_LAYERS) {
      throw new VolumeException(VolumeError.INVALID_ARGUMENT, "volume " + name + " would have "
          + layers.size() + " layers; at most " + MAX_LAYERS);
    }
  }

  /** The storage fence of a volume's writers: datanodes refuse writes whose epoch is below its fence. */
  public static String fenceKey(long volumeId) {
    return "vol/" + volumeId;
  }

  /** The writable layer; the others are frozen snapshots read through when it lacks a block. */
  public long topLayer() {
    return layers.get(0);
  }

  static void checkName(String s) {
    if (s == null || !NAME.matcher(s).matches()) {
      throw new VolumeException(VolumeError.INVALID_ARGUMENT, "volume name '" + s
          + "' must be 1-128 of [A-Za-z0-9._-]");
    }
  }

  static void checkToken(String s, String what) {
    if (s == null || !TOKEN.matcher(s).matches()) {
      throw new VolumeException(VolumeError.INVALID_ARGUMENT, what + " '" + s
          + "' must be 1-128 of [A-Za-z0-9._:@-]");
    }
  }

  static void checkSize(long sizeBytes) {
    if (sizeBytes <= 0 || sizeBytes > MAX_SIZE_BYTES || sizeBytes % BLOCK_SIZE_BYTES != 0) {
      throw new VolumeException(VolumeError.INVALID_ARGUMENT, "size " + sizeBytes
          + " must be a positive multiple of " + BLOCK_SIZE_BYTES + " up to " + MAX_SIZE_BYTES);
    }
  }

  /** Rounds a requested size up to whole blocks, as cloud APIs do. */
  public static long roundUp(long sizeBytes) {
    if (sizeBytes <= 0 || sizeBytes > MAX_SIZE_BYTES) {
      checkSize(sizeBytes);
    }
    return (sizeBytes + BLOCK_SIZE_BYTES - 1) / BLOCK_SIZE_BYTES * BLOCK_SIZE_BYTES;
  }

  public long blocks() {
    return sizeBytes / BLOCK_SIZE_BYTES;
  }

  public boolean attached() {
    return !attachments.isEmpty();
  }

  Volume withSize(long newSize) {
    return new Volume(name, id, newSize, createdMillis, epoch, attachments, layers, format);
  }

  Volume withAttachments(long newEpoch, List<Attachment> list) {
    return new Volume(name, id, sizeBytes, createdMillis, newEpoch, list, layers, format);
  }

  Volume withLayers(List<Long> newLayers) {
    return new Volume(name, id, sizeBytes, createdMillis, epoch, attachments, newLayers, format);
  }

  byte[] encode() {
    StringBuilder b = new StringBuilder();
    b.append("name=").append(name).append('\n');
    b.append("id=").append(id).append('\n');
    b.append("size=").append(sizeBytes).append('\n');
    b.append("created=").append(createdMillis).append('\n');
    b.append("epoch=").append(epoch).append('\n');
    List<String> att = new ArrayList<>();
    attachments.forEach(a -> att.add(a.encode()));
    b.append("attachments=").append(String.join(";", att)).append('\n');
    b.append("layers=").append(joinIds(layers)).append('\n');
    b.append("format=").append(format.version()).append('\n');
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static Volume decode(byte[] bytes) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        f.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    List<Attachment> att = new ArrayList<>();
    String a = f.getOrDefault("attachments", "");
    if (!a.isEmpty()) {
      for (String one : a.split(";")) {
        att.add(Attachment.decode(one));
      }
    }
    return new Volume(f.get("name"), Long.parseLong(f.get("id")), Long.parseLong(f.get("size")),
        Long.parseLong(f.getOrDefault("created", "0")), Long.parseLong(f.getOrDefault("epoch", "0")), att,
        parseIds(f.getOrDefault("layers", "")), LayerFormat.of(Integer.parseInt(f.getOrDefault("format", "1"))));
  }

  static String joinIds(List<Long> ids) {
    StringBuilder b = new StringBuilder();
    for (long id : ids) {
      b.append(b.length() == 0 ? "" : ",").append(id);
    }
    return b.toString();
  }

  static List<Long> parseIds(String s) {
    List<Long> out = new ArrayList<>();
    for (String p : s.split(",")) {
      if (!p.isEmpty()) {
        out.add(Long.parseLong(p));
      }
    }
    return out;
  }
}

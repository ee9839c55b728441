package io.strata.s3.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary encodings of the gateway's metadata values. A leading format byte lets later versions
 * add fields; decoding anything else fails loudly rather than guessing (corruption is a crash,
 * not a silent default).
 */
public final class RecordCodec {
  static final byte FORMAT = 1;

  private RecordCodec() {}

  interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  static byte[] encode(Writer w) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      w.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> T decode(byte[] b, Reader<T> r) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
      byte f = in.readByte();
      if (f != FORMAT) {
        throw new IllegalStateException("unknown record format " + f);
      }
      return r.read(in);
    } catch (IOException e) {
      throw new IllegalStateException("corrupt metadata record", e);
    }
  }

  static void writeSegments(DataOutputStream out, List<Segment> segments) throws IOException {
    out.writeInt(segments.size());
    for (Segment s : segments) {
      out.writeUTF(s.dataId());
      out.writeLong(s.length());
    }
  }

  static List<Segment> readSegments(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 100_000) {
      throw new IOException("bad segment count " + n);
    }
    List<Segment> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Segment(in.readUTF(), in.readLong()));
    }
    return out;
  }

  static void writeMap(DataOutputStream out, Map<String, String> m) throws IOException {
    out.writeInt(m.size());
    for (Map.Entry<String, String> e : m.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeUTF(e.getValue());
    }
  }

  static Map<String, String> readMap(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 10_000) {
      throw new IOException("bad map size " + n);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      m.put(in.readUTF(), in.readUTF());
    }
    return m;
  }

  public static byte[] encodeSegments(List<Segment> segments, int chunkBytes) {
    return encode(out -> {
      out.writeInt(chunkBytes);
      writeSegments(out, segments);
    });
  }

  /** A GC record: the chunk size and the segments to delete. */
  public record Garbage(int chunkBytes, List<Segment> segments) {}

  public static Garbage decodeSegments(byte[] b) {
    return decode(b, in -> new Garbage(in.readInt(), readSegments(in)));
  }
}

package io.strata.s3.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary encodings of the gateway's metadata values. A leading format byte lets later versions
 * add fields (format 1 records of the first release still decode); anything else fails loudly
 * rather than guessing (corruption is a crash, not a silent default).
 */
public final class RecordCodec {
  static final byte FORMAT_1 = 1;
  static final byte FORMAT_2 = 2;
  static final int MAX_LONG_STRING_BYTES = 1 << 20;

  private RecordCodec() {}

  interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  interface Reader<T> {
    T read(int format, DataInputStream in) throws IOException;
  }

  static byte[] encode(Writer w) {
    return encode(FORMAT_1, w);
  }

  static byte[] encode(byte format, Writer w) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(format);
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
      if (f != FORMAT_1 && f != FORMAT_2) {
        throw new IllegalStateException("unknown record format " + f);
      }
      return r.read(f, in);
    } catch (IOException e) {
      throw new IllegalStateException("corrupt metadata record", e);
    }
  }

  static byte[] encodeObject(ObjectRecord o) {
    return encode(FORMAT_2, out -> {
      out.writeLong(o.size());
      out.writeUTF(o.etag());
      out.writeLong(o.lastModifiedMillis());
      out.writeUTF(o.owner());
      writeMap(out, o.headers());
      writeMap(out, o.userMetadata());
      writeMap(out, o.tags());
      out.writeUTF(o.checksum().algorithm());
      out.writeUTF(o.checksum().value());
      out.writeUTF(o.checksum().type());
      out.writeInt(o.chunkBytes());
      writeSegments(out, o.segments());
      ObjectRecord.Version v = o.version();
      out.writeUTF(v.versionId());
      out.writeLong(v.seq());
      out.writeBoolean(v.deleteMarker());
      out.writeLong(v.nullVersionSeq());
      out.writeInt(o.inline() == null ? -1 : o.inline().length);
      if (o.inline() != null) {
        out.write(o.inline());
      }
    });
  }

  static ObjectRecord decodeObject(byte[] b) {
    return decode(b, (format, in) -> {
      if (format == FORMAT_1) {
        long size = in.readLong();
        String etag = in.readUTF();
        String contentType = in.readUTF();
        long modified = in.readLong();
        Map<String, String> meta = readMap(in);
        int chunkBytes = in.readInt();
        return new ObjectRecord(size, etag, modified, "", Map.of("content-type", contentType), meta, Map.of(),
            ObjectRecord.Checksum.NONE, chunkBytes, readSegments(in), ObjectRecord.Version.LEGACY);
      }
      long size = in.readLong();
      String etag = in.readUTF();
      long modified = in.readLong();
      String owner = in.readUTF();
      Map<String, String> headers = readMap(in);
      Map<String, String> meta = readMap(in);
      Map<String, String> tags = readMap(in);
      ObjectRecord.Checksum checksum = new ObjectRecord.Checksum(in.readUTF(), in.readUTF(), in.readUTF());
      int chunkBytes = in.readInt();
      List<Segment> segments = readSegments(in);
      ObjectRecord.Version v = new ObjectRecord.Version(in.readUTF(), in.readLong(), in.readBoolean(), in.readLong());
      int inlineLength = in.readInt();
      if (inlineLength < -1 || inlineLength > ObjectRecord.INLINE_MAX_BYTES) {
        throw new IOException("bad inline length " + inlineLength);
      }
      byte[] inline = inlineLength < 0 ? null : in.readNBytes(inlineLength);
      if (inline != null && inline.length != inlineLength) {
        throw new IOException("truncated inline data");
      }
      return new ObjectRecord(size, etag, modified, owner, headers, meta, tags, checksum, chunkBytes, segments, v, inline);
    });
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

  /** Strings beyond writeUTF's 64 KiB (policies, CORS documents). */
  static void writeLongString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readLongString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_LONG_STRING_BYTES) {
      throw new IOException("bad string length " + n);
    }
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new IOException("truncated string");
    }
    return new String(b, StandardCharsets.UTF_8);
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
    return decode(b, (f, in) -> new Garbage(in.readInt(), readSegments(in)));
  }
}

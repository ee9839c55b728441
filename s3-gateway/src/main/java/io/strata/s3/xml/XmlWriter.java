package io.strata.s3.xml;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/** A tiny streaming XML builder for S3 responses: escapes text, tracks open elements. */
public final class XmlWriter {
  public static final String S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";

  private final StringBuilder sb = new StringBuilder(256).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  private final Deque<String> open = new ArrayDeque<>();

  /** Opens the root element in the S3 namespace. */
  public static XmlWriter root(String name) {
    XmlWriter w = new XmlWriter();
    w.sb.append('<').append(name).append(" xmlns=\"").append(S3_NS).append("\">");
    w.open.push(name);
    return w;
  }

  /** Opens a root element without a namespace (S3's Error documents have none). */
  public static XmlWriter bareRoot(String name) {
    XmlWriter w = new XmlWriter();
    return w.start(name);
  }

  /** A writer for a run of elements to be spliced into another document with {@link #raw}. */
  public static XmlWriter fragment() {
    XmlWriter w = new XmlWriter();
    w.sb.setLength(0);
    return w;
  }

  /** Appends a fragment's elements here. */
  public XmlWriter raw(XmlWriter fragment) {
    sb.append(fragment.sb);
    return this;
  }

  public XmlWriter start(String name) {
    sb.append('<').append(name).append('>');
    open.push(name);
    return this;
  }

  public XmlWriter end() {
    sb.append("</").append(open.pop()).append('>');
    return this;
  }

  public XmlWriter elem(String name, Object text) {
    sb.append('<').append(name).append('>');
    escape(String.valueOf(text));
    sb.append("</").append(name).append('>');
    return this;
  }

  /** Writes the element only when {@code text} is non-null and non-empty. */
  public XmlWriter optional(String name, String text) {
    return text == null || text.isEmpty() ? this : elem(name, text);
  }

  private void escape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> {
          // Control characters are not allowed in XML 1.0; S3 keys may contain them, so encode.
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            sb.append("&#").append((int) c).append(';');
          } else {
            sb.append(c);
          }
        }
      }
    }
  }

  public byte[] toBytes() {
    while (!open.isEmpty()) {
      end();
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}

package io.strata.s3.ops;

import io.strata.s3.auth.AwsUriEncoding;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.xml.XmlDocument;
import io.strata.s3.xml.XmlWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.w3c.dom.Element;

/** Tag sets: S3's limits, the XML Tagging document, and the {@code x-amz-tagging} header form. Pure. */
final class Tagging {
  static final int MAX_OBJECT_TAGS = 10;
  static final int MAX_BUCKET_TAGS = 50;
  static final int MAX_KEY_CHARS = 128;
  static final int MAX_VALUE_CHARS = 256;

  private Tagging() {}

  /** {@code <Tagging><TagSet><Tag><Key/><Value/></Tag>...}. */
  static Map<String, String> parseXml(byte[] body, int maxTags) {
    XmlDocument d = XmlDocument.parse(body);
    if (!d.rootName().equals("Tagging")) {
      throw new S3Exception(S3ErrorCode.MALFORMED_XML);
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (Element set : XmlDocument.children(d.root(), "TagSet")) {
      for (Element tag : XmlDocument.children(set, "Tag")) {
        String k = XmlDocument.childText(tag, "Key");
        String v = XmlDocument.childText(tag, "Value");
        if (k == null) {
          throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        }
        add(tags, k, v == null ? "" : v, maxTags);
      }
    }
    return tags;
  }

  /** The URL-query form of {@code x-amz-tagging: k1=v1&k2=v2}. */
  static Map<String, String> parseHeader(String header) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (header == null || header.isEmpty()) {
      return tags;
    }
    for (String pair : header.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      add(tags, k, v, MAX_OBJECT_TAGS);
    }
    return tags;
  }

  private static String decode(String s) {
    return AwsUriEncoding.decode(s.replace("+", "%20"));
  }

  private static void add(Map<String, String> tags, String k, String v, int maxTags) {
    if (k.isEmpty() || k.length() > MAX_KEY_CHARS || v.length() > MAX_VALUE_CHARS || k.startsWith("aws:")) {
      throw new S3Exception(S3ErrorCode.INVALID_TAG, "The TagKey or TagValue you have provided is invalid");
    }
    if (tags.containsKey(k)) {
      throw new S3Exception(S3ErrorCode.INVALID_TAG, "Cannot provide multiple Tags with the same key");
    }
    if (tags.size() >= maxTags) {
      throw new S3Exception(S3ErrorCode.BAD_REQUEST_TAGS, "Object tags cannot be greater than " + maxTags);
    }
    tags.put(k, v);
  }

  static byte[] toXml(Map<String, String> tags) {
    XmlWriter w = XmlWriter.root("Tagging").start("TagSet");
    tags.forEach((k, v) -> w.start("Tag").elem("Key", k).elem("Value", v).end());
    return w.toBytes();
  }
}

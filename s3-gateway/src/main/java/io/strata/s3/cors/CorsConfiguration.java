package io.strata.s3.cors;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.policy.Wildcards;
import io.strata.s3.xml.XmlDocument;
import io.strata.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * A bucket's CORS rules ({@code CORSConfiguration/CORSRule}) and S3's matching: the first rule
 * whose AllowedOrigin (one {@code *} wildcard allowed), AllowedMethod and AllowedHeader patterns
 * cover the request wins. Pure: parsed from and written back to XML, tested without sockets.
 */
public final class CorsConfiguration {
  static final int MAX_RULES = 100;
  static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "DELETE", "HEAD");

  public record Rule(String id, List<String> origins, List<String> methods, List<String> headers,
                     List<String> exposeHeaders, Integer maxAgeSeconds) {}

  private final List<Rule> rules;

  private CorsConfiguration(List<Rule> rules) {
    this.rules = rules;
  }

  public static CorsConfiguration parse(byte[] xml) {
    XmlDocument d = XmlDocument.parse(xml);
    if (!d.rootName().equals("CORSConfiguration")) {
      throw new S3Exception(S3ErrorCode.MALFORMED_XML);
    }
    List<Rule> rules = new ArrayList<>();
    for (Element e : XmlDocument.children(d.root(), "CORSRule")) {
      List<String> methods = texts(e, "AllowedMethod");
      for (String m : methods) {
        if (!METHODS.contains(m)) {
          throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "Found unsupported HTTP method in CORS config. Unsupported method is " + m);
        }
      }
      List<String> origins = texts(e, "AllowedOrigin");
      for (String o : origins) {
        if (o.chars().filter(c -> c == '*').count() > 1) {
          throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "AllowedOrigin can not have more than one wildcard: " + o);
        }
      }
      if (methods.isEmpty() || origins.isEmpty()) {
        throw new S3Exception(S3ErrorCode.MALFORMED_XML, "A CORSRule needs AllowedMethod and AllowedOrigin");
      }
      String maxAge = XmlDocument.childText(e, "MaxAgeSeconds");
      Integer age;
      try {
        age = maxAge == null ? null : Integer.valueOf(maxAge.trim());
      } catch (NumberFormatException x) {
        throw new S3Exception(S3ErrorCode.MALFORMED_XML, "MaxAgeSeconds must be a number");
      }
      rules.add(new Rule(XmlDocument.childText(e, "ID"), origins, methods, texts(e, "AllowedHeader"),
          texts(e, "ExposeHeader"), age));
    }
    if (rules.isEmpty() || rules.size() > MAX_RULES) {
      throw new S3Exception(S3ErrorCode.MALFORMED_XML, "A CORS configuration has 1 to " + MAX_RULES + " rules");
    }
    return new CorsConfiguration(List.copyOf(rules));
  }

  private static List<String> texts(Element parent, String name) {
    List<String> out = new ArrayList<>();
    for (Element c : XmlDocument.children(parent, name)) {
      out.add(c.getTextContent().trim());
    }
    return out;
  }

  /**
   * @param requestHeaders lower-case header names the client wants to send (preflight), may be empty
   */
  public Optional<Rule> match(String origin, String method, List<String> requestHeaders) {
    for (Rule r : rules) {
      boolean o = r.origins().stream().anyMatch(p -> Wildcards.matches(p, origin));
      boolean m = r.methods().contains(method);
      boolean h = requestHeaders.stream().allMatch(rh -> r.headers().stream()
          .anyMatch(p -> Wildcards.matchesIgnoreCase(p, rh)));
      if (o && m && h) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  public static List<String> headerList(String v) {
    List<String> out = new ArrayList<>();
    if (v != null) {
      for (String h : v.split(",")) {
        if (!h.isBlank()) {
          out.add(h.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  public byte[] toXml() {
    XmlWriter w = XmlWriter.root("CORSConfiguration");
    for (Rule r : rules) {
      w.start("CORSRule");
      if (r.id() != null) {
        w.elem("ID", r.id());
      }
      r.headers().forEach(h -> w.elem("AllowedHeader", h));
      r.methods().forEach(m -> w.elem("AllowedMethod", m));
      r.origins().forEach(o -> w.elem("AllowedOrigin", o));
      r.exposeHeaders().forEach(h -> w.elem("ExposeHeader", h));
      if (r.maxAgeSeconds() != null) {
        w.elem("MaxAgeSeconds", r.maxAgeSeconds());
      }
      w.end();
    }
    return w.toBytes();
  }
}

package io.strata.s3.xml;

import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Parses the small XML request bodies S3 takes (CompleteMultipartUpload, Delete,
 * CreateBucketConfiguration) with DTDs and external entities off, so a hostile body cannot
 * make the parser fetch files or expand entities; anything unparsable is MalformedXML.
 */
public final class XmlDocument {
  private final Element root;

  private XmlDocument(Element root) {
    this.root = root;
  }

  public static XmlDocument parse(byte[] body) {
    if (body.length == 0) {
      throw new S3Exception(S3ErrorCode.MALFORMED_XML);
    }
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      f.setNamespaceAware(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      Document d = b.parse(new ByteArrayInputStream(body));
      return new XmlDocument(d.getDocumentElement());
    } catch (Exception e) {
      throw new S3Exception(S3ErrorCode.MALFORMED_XML);
    }
  }

  public String rootName() {
    return localName(root);
  }

  public Element root() {
    return root;
  }

  /** Direct children of {@code parent} with this local name (prefixes ignored). */
  public static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && localName(e).equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Text of the single child {@code name}, or null when absent. */
  public static String childText(Element parent, String name) {
    List<Element> c = children(parent, name);
    return c.isEmpty() ? null : c.get(0).getTextContent();
  }

  private static String localName(Element e) {
    String n = e.getTagName();
    int colon = n.indexOf(':');
    return colon < 0 ? n : n.substring(colon + 1);
  }
}

package io.strata.s3.ops;

import io.strata.s3.auth.Authenticated;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.ErrorReplies;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.ObjectStore;
import io.strata.s3.xml.XmlDocument;
import io.strata.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.List;
import org.w3c.dom.Element;

/** DeleteObjects: up to 1000 keys from an XML body, each deleted on its own (per-key results). */
final class DeleteObjectsOp {
  static final int MAX_KEYS = 1000;

  private final Services s;

  DeleteObjectsOp(Services s) {
    this.s = s;
  }

  record Request(List<String> keys, boolean quiet) {}

  /** Parses {@code <Delete><Quiet/><Object><Key/></Object>...</Delete>}. */
  static Request parse(byte[] body) {
    XmlDocument d = XmlDocument.parse(body);
    if (!d.rootName().equals("Delete")) {
      throw new S3Exception(S3ErrorCode.MALFORMED_XML);
    }
    List<String> keys = new ArrayList<>();
    for (Element o : XmlDocument.children(d.root(), "Object")) {
      String k = XmlDocument.childText(o, "Key");
      if (k == null || k.isEmpty()) {
        throw new S3Exception(S3ErrorCode.MALFORMED_XML);
      }
      keys.add(k);
    }
    if (keys.isEmpty() || keys.size() > MAX_KEYS) {
      throw new S3Exception(S3ErrorCode.MALFORMED_XML, "Delete takes 1 to " + MAX_KEYS + " keys");
    }
    return new Request(keys, "true".equalsIgnoreCase(XmlDocument.childText(d.root(), "Quiet")));
  }

  Operation deleteObjects(S3Request r, Authenticated who) {
    s.store().requireBucket(r.bucket(), who.userName());
    return new XmlBody(s.workers(), body -> {
      Request req = parse(body);
      XmlWriter w = XmlWriter.root("DeleteResult");
      for (String key : req.keys()) {
        try {
          s.store().replaceObject(r.bucket(), key, null, ObjectStore.Change.none());
          if (!req.quiet()) {
            w.start("Deleted").elem("Key", key).end();
          }
        } catch (RuntimeException e) {
          S3Exception x = ErrorReplies.toS3(e);
          w.start("Error").elem("Key", key).elem("Code", x.code().code()).elem("Message", x.getMessage()).end();
        }
      }
      return Reply.xml(200, w.toBytes());
    });
  }
}

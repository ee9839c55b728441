package io.strata.s3.ops;

import io.strata.s3.auth.Authenticated;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Router;
import io.strata.s3.http.S3Request;
import java.util.List;

/**
 * Maps (method, bucket?, key?, sub-resource) to an operation, S3's REST dispatch table in one
 * place. Sub-resources we do not implement get 501 NotImplemented rather than being mistaken
 * for a plain GET or PUT.
 */
public final class S3Router implements Router {
  static final List<String> UNSUPPORTED = List.of("acl", "policy", "cors", "lifecycle", "tagging", "website",
      "replication", "encryption", "notification", "logging", "object-lock", "retention", "legal-hold",
      "versions", "restore", "select", "torrent", "accelerate", "requestPayment", "inventory", "metrics",
      "analytics", "intelligent-tiering", "ownershipControls", "publicAccessBlock", "attributes");

  private final BucketOps buckets;
  private final ListingOps listing;
  private final ObjectReadOps reads;
  private final ObjectWriteOps writes;
  private final DeleteObjectsOp deleteObjects;
  private final MultipartOps multipart;
  private final MultipartCompletion completion;
  private final MultipartListing multipartListing;

  public S3Router(Services s) {
    this.buckets = new BucketOps(s);
    this.listing = new ListingOps(s);
    this.reads = new ObjectReadOps(s);
    this.writes = new ObjectWriteOps(s);
    this.deleteObjects = new DeleteObjectsOp(s);
    this.multipart = new MultipartOps(s);
    this.completion = new MultipartCompletion(s, multipart);
    this.multipartListing = new MultipartListing(s, multipart);
  }

  @Override
  public Operation route(S3Request r, Authenticated who) {
    for (String sub : UNSUPPORTED) {
      if (r.hasParam(sub)) {
        throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED, "the ?" + sub + " sub-resource is not implemented");
      }
    }
    if (r.bucket() == null) {
      if (r.method().equals("GET")) {
        return buckets.list(who);
      }
      throw new S3Exception(S3ErrorCode.METHOD_NOT_ALLOWED);
    }
    return r.key() == null ? bucket(r, who) : object(r, who);
  }

  private Operation bucket(S3Request r, Authenticated who) {
    return switch (r.method()) {
      case "PUT" -> r.hasParam("versioning") ? notImplemented("versioning") : buckets.create(r, who);
      case "HEAD" -> buckets.head(r, who);
      case "DELETE" -> buckets.delete(r, who);
      case "POST" -> r.hasParam("delete") ? deleteObjects.deleteObjects(r, who) : methodNotAllowed();
      case "GET" -> {
        if (r.hasParam("location")) {
          yield buckets.location(r, who);
        } else if (r.hasParam("versioning")) {
          yield buckets.versioning(r, who);
        } else if (r.hasParam("uploads")) {
          yield multipartListing.listUploads(r, who);
        } else if ("2".equals(r.param("list-type"))) {
          yield listing.listV2(r, who);
        }
        yield listing.listV1(r, who);
      }
      default -> methodNotAllowed();
    };
  }

  private Operation object(S3Request r, Authenticated who) {
    return switch (r.method()) {
      case "PUT" -> {
        if (r.hasParam("uploadId")) {
          yield r.headerValue("x-amz-copy-source") != null ? notImplemented("UploadPartCopy") : multipart.uploadPart(r, who);
        }
        yield r.headerValue("x-amz-copy-source") != null ? writes.copy(r, who) : writes.put(r, who);
      }
      case "GET" -> r.hasParam("uploadId") ? multipartListing.listParts(r, who) : reads.get(r, who, false);
      case "HEAD" -> reads.get(r, who, true);
      case "DELETE" -> r.hasParam("uploadId") ? multipart.abort(r, who) : writes.delete(r, who);
      case "POST" -> {
        if (r.hasParam("uploads")) {
          yield multipart.create(r, who);
        } else if (r.hasParam("uploadId")) {
          yield completion.complete(r, who);
        }
        yield methodNotAllowed();
      }
      default -> methodNotAllowed();
    };
  }

  private static Operation notImplemented(String what) {
    throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED, what + " is not implemented");
  }

  private static Operation methodNotAllowed() {
    throw new S3Exception(S3ErrorCode.METHOD_NOT_ALLOWED);
  }
}

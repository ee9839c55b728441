package io.strata.s3.ops;

import io.strata.s3.auth.Authenticated;
import io.strata.s3.cors.CorsResponder;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import io.strata.s3.http.Operation;
import io.strata.s3.http.Reply;
import io.strata.s3.http.Router;
import io.strata.s3.http.S3Request;
import io.strata.s3.store.BucketRecord;
import java.util.List;
import java.util.Map;

/**
 * Maps (method, bucket?, key?, sub-resource) to an operation, S3's REST dispatch table in one
 * place. Sub-resources we do not implement get 501 NotImplemented rather than being mistaken
 * for a plain GET or PUT.
 */
public final class S3Router implements Router {
  static final List<String> UNSUPPORTED = List.of("acl", "lifecycle", "website",
      "replication", "encryption", "notification", "logging", "object-lock", "retention", "legal-hold",
      "restore", "select", "torrent", "accelerate", "requestPayment", "inventory", "metrics",
      "analytics", "intelligent-tiering", "ownershipControls", "publicAccessBlock", "attributes", "policyStatus");

  private final Services s;
  private final BucketOps buckets;
  private final BucketConfigOps config;
  private final ListingOps listing;
  private final VersionListing versions;
  private final ObjectReadOps reads;
  private final ObjectWriteOps writes;
  private final ObjectTaggingOps tagging;
  private final DeleteObjectsOp deleteObjects;
  private final MultipartOps multipart;
  private final MultipartCompletion completion;
  private final MultipartListing multipartListing;
  private final CorsResponder cors = new CorsResponder();

  public S3Router(Services s) {
    this.s = s;
    this.buckets = new BucketOps(s);
    this.config = new BucketConfigOps(s, buckets);
    this.listing = new ListingOps(s);
    this.versions = new VersionListing(s);
    this.reads = new ObjectReadOps(s);
    this.writes = new ObjectWriteOps(s);
    this.tagging = new ObjectTaggingOps(s);
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
    if (r.method().equals("OPTIONS")) {
      return preflight(r);
    }
    if (r.bucket() == null) {
      if (r.method().equals("GET")) {
        return buckets.list(who);
      }
      throw new S3Exception(S3ErrorCode.METHOD_NOT_ALLOWED);
    }
    return r.key() == null ? bucket(r, who) : object(r, who);
  }

  /** CORS headers for a request with an Origin header, from its bucket's rules; empty otherwise. */
  @Override
  public Map<String, String> corsHeaders(S3Request r) {
    if (r.bucket() == null || r.headerValue("origin") == null || r.method().equals("OPTIONS")) {
      return Map.of();
    }
    return cors.actual(s.store().cachedBucket(r.bucket()).value(), r.headerValue("origin"), r.method());
  }

  private Operation preflight(S3Request r) {
    if (r.bucket() == null) {
      throw new S3Exception(S3ErrorCode.CORS_FORBIDDEN, "CORSResponse: Bucket not found");
    }
    BucketRecord b = s.store().liveBucket(r.bucket()).value();
    Map<String, String> h = cors.preflight(b, r.headerValue("origin"), r.headerValue("access-control-request-method"),
        r.headerValue("access-control-request-headers"));
    return new Blocking(s.workers(), () -> {
      Reply reply = Reply.empty(200);
      h.forEach(reply::header);
      return reply;
    });
  }

  private Operation bucket(S3Request r, Authenticated who) {
    return switch (r.method()) {
      case "PUT" -> {
        if (r.hasParam("versioning")) {
          yield buckets.putVersioning(r, who);
        } else if (r.hasParam("policy")) {
          yield config.putPolicy(r, who);
        } else if (r.hasParam("tagging")) {
          yield config.putTagging(r, who);
        } else if (r.hasParam("cors")) {
          yield config.putCors(r, who);
        }
        yield buckets.create(r, who);
      }
      case "HEAD" -> buckets.head(r, who);
      case "DELETE" -> {
        if (r.hasParam("policy")) {
          yield config.deletePolicy(r, who);
        } else if (r.hasParam("tagging")) {
          yield config.deleteTagging(r, who);
        } else if (r.hasParam("cors")) {
          yield config.deleteCors(r, who);
        }
        yield buckets.delete(r, who);
      }
      case "POST" -> r.hasParam("delete") ? deleteObjects.deleteObjects(r, who) : methodNotAllowed();
      case "GET" -> bucketGet(r, who);
      default -> methodNotAllowed();
    };
  }

  private Operation bucketGet(S3Request r, Authenticated who) {
    if (r.hasParam("location")) {
      return buckets.location(r, who);
    } else if (r.hasParam("versioning")) {
      return buckets.versioning(r, who);
    } else if (r.hasParam("policy")) {
      return config.getPolicy(r, who);
    } else if (r.hasParam("tagging")) {
      return config.getTagging(r, who);
    } else if (r.hasParam("cors")) {
      return config.getCors(r, who);
    } else if (r.hasParam("versions")) {
      return versions.list(r, who);
    } else if (r.hasParam("uploads")) {
      return multipartListing.listUploads(r, who);
    } else if ("2".equals(r.param("list-type"))) {
      return listing.listV2(r, who);
    }
    return listing.listV1(r, who);
  }

  private Operation object(S3Request r, Authenticated who) {
    if (r.hasParam("tagging")) {
      return switch (r.method()) {
        case "GET" -> tagging.get(r, who);
        case "PUT" -> tagging.put(r, who);
        case "DELETE" -> tagging.delete(r, who);
        default -> methodNotAllowed();
      };
    }
    return switch (r.method()) {
      case "PUT" -> {
        boolean copy = r.headerValue("x-amz-copy-source") != null;
        if (r.hasParam("uploadId")) {
          yield copy ? multipart.uploadPartCopy(r, who) : multipart.uploadPart(r, who);
        }
        yield copy ? writes.copy(r, who) : writes.put(r, who);
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

  private static Operation methodNotAllowed() {
    throw new S3Exception(S3ErrorCode.METHOD_NOT_ALLOWED);
  }
}

package io.strata.s3.error;

/**
 * Every rejection the gateway can give, as S3 names it, with its HTTP status: the one table
 * that maps our failures to the protocol (habit 3 in STYLE.md).
 */
public enum S3ErrorCode {
  ACCESS_DENIED("AccessDenied", 403, "Access Denied"),
  AUTHORIZATION_HEADER_MALFORMED("AuthorizationHeaderMalformed", 400, "The authorization header is malformed"),
  AUTHORIZATION_QUERY_PARAMETERS_ERROR("AuthorizationQueryParametersError", 400, "Error parsing the X-Amz-Credential parameter"),
  BAD_DIGEST("BadDigest", 400, "The Content-MD5 or checksum you specified did not match what we received"),
  BUCKET_ALREADY_EXISTS("BucketAlreadyExists", 409, "The requested bucket name is not available"),
  BUCKET_ALREADY_OWNED_BY_YOU("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it"),
  BUCKET_NOT_EMPTY("BucketNotEmpty", 409, "The bucket you tried to delete is not empty"),
  ENTITY_TOO_LARGE("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size"),
  ENTITY_TOO_SMALL("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size"),
  EXPIRED_REQUEST("AccessDenied", 403, "Request has expired"),
  INCOMPLETE_BODY("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header"),
  INTERNAL_ERROR("InternalError", 500, "We encountered an internal error. Please try again."),
  INVALID_ACCESS_KEY_ID("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records"),
  INVALID_ARGUMENT("InvalidArgument", 400, "Invalid Argument"),
  INVALID_BUCKET_NAME("InvalidBucketName", 400, "The specified bucket is not valid"),
  INVALID_CHUNK("InvalidChunkSizeError", 400, "The aws-chunked body is malformed"),
  INVALID_DIGEST("InvalidDigest", 400, "The Content-MD5 or checksum you specified is not valid"),
  INVALID_PART("InvalidPart", 400, "One or more of the specified parts could not be found"),
  INVALID_PART_ORDER("InvalidPartOrder", 400, "The list of parts was not in ascending order"),
  INVALID_RANGE("InvalidRange", 416, "The requested range is not satisfiable"),
  INVALID_REQUEST("InvalidRequest", 400, "Invalid Request"),
  KEY_TOO_LONG("KeyTooLongError", 400, "Your key is too long"),
  MALFORMED_XML("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema"),
  METADATA_TOO_LARGE("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size"),
  METHOD_NOT_ALLOWED("MethodNotAllowed", 405, "The specified method is not allowed against this resource"),
  MISSING_CONTENT_LENGTH("MissingContentLength", 411, "You must provide the Content-Length HTTP header"),
  MISSING_SECURITY_HEADER("MissingSecurityHeader", 400, "Your request is missing a required header"),
  NO_SUCH_BUCKET("NoSuchBucket", 404, "The specified bucket does not exist"),
  NO_SUCH_KEY("NoSuchKey", 404, "The specified key does not exist"),
  NO_SUCH_VERSION("NoSuchVersion", 404, "The specified version does not exist"),
  NO_SUCH_BUCKET_POLICY("NoSuchBucketPolicy", 404, "The bucket policy does not exist"),
  NO_SUCH_TAG_SET("NoSuchTagSet", 404, "The TagSet does not exist"),
  NO_SUCH_CORS_CONFIGURATION("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist"),
  MALFORMED_POLICY("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'"),
  BAD_REQUEST_TAGS("BadRequest", 400, "Object tags cannot be greater than 10"),
  INVALID_TAG("InvalidTag", 400, "The tag provided was not a valid tag"),
  ILLEGAL_VERSIONING_CONFIGURATION("IllegalVersioningConfigurationException", 400, "The versioning configuration specified in the request is invalid"),
  CORS_FORBIDDEN("AccessForbidden", 403, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."),
  BAD_REQUEST("BadRequest", 400, "Insufficient information. Origin request header needed."),
  DELETE_MARKER_METHOD_NOT_ALLOWED("MethodNotAllowed", 405, "The specified method is not allowed against this resource"),
  INVALID_OBJECT_STATE("InvalidObjectState", 403, "The operation is not valid for the object's state"),
  NO_SUCH_UPLOAD("NoSuchUpload", 404, "The specified multipart upload does not exist"),
  NOT_MODIFIED("NotModified", 304, "Not Modified"),
  NOT_IMPLEMENTED("NotImplemented", 501, "A header or query you provided implies functionality that is not implemented"),
  PRECONDITION_FAILED("PreconditionFailed", 412, "At least one of the preconditions you specified did not hold"),
  REQUEST_HEADER_TOO_LARGE("RequestHeaderSectionTooLarge", 400, "Your request header section exceeds the maximum allowed size"),
  REQUEST_TIME_TOO_SKEWED("RequestTimeTooSkewed", 403, "The difference between the request time and the server's time is too large"),
  REQUEST_TIMEOUT("RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period"),
  SIGNATURE_DOES_NOT_MATCH("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided"),
  SERVICE_UNAVAILABLE("ServiceUnavailable", 503, "The storage cluster is unavailable; please retry"),
  SLOW_DOWN("SlowDown", 503, "Please reduce your request rate"),
  CONTENT_SHA256_MISMATCH("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed");

  private final String code;
  private final int httpStatus;
  private final String message;

  S3ErrorCode(String code, int httpStatus, String message) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.message = message;
  }

  public String code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String defaultMessage() {
    return message;
  }
}

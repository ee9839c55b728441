package io.strata.s3.policy;

/** The IAM action names the gateway authorises, as bucket policies spell them. */
public final class S3Actions {
  public static final String GET_OBJECT = "s3:GetObject";
  public static final String GET_OBJECT_VERSION = "s3:GetObjectVersion";
  public static final String PUT_OBJECT = "s3:PutObject";
  public static final String DELETE_OBJECT = "s3:DeleteObject";
  public static final String DELETE_OBJECT_VERSION = "s3:DeleteObjectVersion";
  public static final String LIST_BUCKET = "s3:ListBucket";
  public static final String LIST_BUCKET_VERSIONS = "s3:ListBucketVersions";
  public static final String LIST_UPLOADS = "s3:ListBucketMultipartUploads";
  public static final String LIST_PARTS = "s3:ListMultipartUploadParts";
  public static final String ABORT_UPLOAD = "s3:AbortMultipartUpload";
  public static final String GET_OBJECT_TAGGING = "s3:GetObjectTagging";
  public static final String PUT_OBJECT_TAGGING = "s3:PutObjectTagging";
  public static final String DELETE_OBJECT_TAGGING = "s3:DeleteObjectTagging";
  public static final String GET_BUCKET_LOCATION = "s3:GetBucketLocation";
  public static final String GET_BUCKET_VERSIONING = "s3:GetBucketVersioning";
  public static final String PUT_BUCKET_VERSIONING = "s3:PutBucketVersioning";
  public static final String GET_BUCKET_POLICY = "s3:GetBucketPolicy";
  public static final String PUT_BUCKET_POLICY = "s3:PutBucketPolicy";
  public static final String DELETE_BUCKET_POLICY = "s3:DeleteBucketPolicy";
  public static final String GET_BUCKET_TAGGING = "s3:GetBucketTagging";
  public static final String PUT_BUCKET_TAGGING = "s3:PutBucketTagging";
  public static final String GET_BUCKET_CORS = "s3:GetBucketCORS";
  public static final String PUT_BUCKET_CORS = "s3:PutBucketCORS";
  public static final String DELETE_BUCKET = "s3:DeleteBucket";

  private S3Actions() {}
}

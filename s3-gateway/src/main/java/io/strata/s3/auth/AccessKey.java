package io.strata.s3.auth;

/** An access key pair and the user it belongs to. The secret is what SigV4 HMACs with. */
public record AccessKey(String userName, String accessKeyId, String secretKey) {
  @Override
  public String toString() {
    return "AccessKey[" + userName + "/" + accessKeyId + "]";  // never print the secret
  }
}

package io.strata.s3.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test-side SigV4 signer built from the gateway's own primitives (themselves checked against AWS vectors). */
public final class CanonicalRequestProbe {
  private CanonicalRequestProbe() {}

  public static String authorization(String method, String rawPath, String rawQuery, Map<String, String> headers,
                                     String payloadHash, String amzDate, String keyId, String secret) {
    List<String> names = new ArrayList<>(headers.keySet());
    names.sort(String::compareTo);
    List<Map.Entry<String, String>> query = io.strata.s3.http.RequestParserProbe.query(rawQuery);
    String canonical = CanonicalRequest.build(method, AwsUriEncoding.decode(rawPath), query, names,
        n -> List.of(headers.get(n)), payloadHash);
    String date = amzDate.substring(0, 8);
    byte[] key = SigV4Crypto.signingKey(secret, date, "us-east-1", "s3");
    String scope = date + "/us-east-1/s3/aws4_request";
    return SigV4Crypto.ALGORITHM + " Credential=" + keyId + "/" + scope + ", SignedHeaders=" + String.join(";", names)
        + ", Signature=" + SigV4Crypto.signature(key, SigV4Crypto.stringToSign(amzDate, scope, canonical));
  }
}

package io.strata.s3.auth;

import java.util.List;
import java.util.Map;

/** What SigV4 needs to see of a request; implemented by the HTTP layer, by hand in tests. */
public interface SignableRequest {
  String method();

  /** The path, percent-decoded once. */
  String decodedPath();

  /** Query parameters, percent-decoded, in arrival order. */
  List<Map.Entry<String, String>> query();

  /** All values of a header (lower-case name), empty when absent. */
  List<String> header(String lowerCaseName);
}

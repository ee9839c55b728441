package io.strata.s3.policy;

import java.util.Locale;

/** IAM-style glob matching: {@code *} any run of characters, {@code ?} any one; no regex. */
public final class Wildcards {
  private Wildcards() {}

  public static boolean matchesIgnoreCase(String pattern, String s) {
    return matches(pattern.toLowerCase(Locale.ROOT), s.toLowerCase(Locale.ROOT));
  }

  /** Iterative glob match with backtracking to the last star: O(n*m) worst case, no recursion. */
  public static boolean matches(String pattern, String s) {
    int p = 0;
    int i = 0;
    int star = -1;
    int mark = 0;
    while (i < s.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == s.charAt(i))) {
        p++;
        i++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = i;
      } else if (star >= 0) {
        p = star + 1;
        i = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}

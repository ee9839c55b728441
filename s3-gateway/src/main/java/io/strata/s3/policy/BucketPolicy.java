package io.strata.s3.policy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonParseException;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A bucket policy: statements of Effect, Principal, Action and Resource, as in AWS IAM's policy
 * language, without conditions (a policy that uses Condition, NotPrincipal, NotAction or
 * NotResource is refused rather than half-applied). Principals are Strata user names, given
 * bare or as {@code arn:aws:iam::ACCOUNT:user/NAME}; {@code "*"} is everyone, anonymous included.
 * Parsing is pure; {@link #evaluate} is AWS's rule: an explicit Deny wins, then any Allow.
 */
public final class BucketPolicy {
  public static final int MAX_POLICY_BYTES = 20 << 10;
  static final int MAX_STATEMENTS = 100;
  static final Set<String> STATEMENT_FIELDS = Set.of("Sid", "Effect", "Principal", "Action", "Resource");

  public enum Decision { ALLOW, DENY, NONE }

  record Statement(boolean allow, List<String> principals, List<String> actions, List<String> resources) {}

  private final List<Statement> statements;

  private BucketPolicy(List<Statement> statements) {
    this.statements = statements;
  }

  /** Parses and validates; MalformedPolicy with a reason otherwise. */
  public static BucketPolicy parse(String json, String bucket) {
    if (json.length() > MAX_POLICY_BYTES) {
      throw malformed("Policies must be smaller than " + MAX_POLICY_BYTES + " bytes");
    }
    JsonObject root;
    try {
      JsonElement e = JsonParser.parseString(json);
      if (!e.isJsonObject()) {
        throw malformed("Policies must be JSON objects");
      }
      root = e.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw malformed("Policies must be valid JSON");
    }
    JsonElement st = root.get("Statement");
    if (st == null) {
      throw malformed("Missing required field Statement");
    }
    List<Statement> out = new ArrayList<>();
    for (JsonElement s : st.isJsonArray() ? st.getAsJsonArray() : single(st)) {
      if (!s.isJsonObject() || out.size() >= MAX_STATEMENTS) {
        throw malformed("Statement must be an object (at most " + MAX_STATEMENTS + ")");
      }
      out.add(statement(s.getAsJsonObject(), bucket));
    }
    if (out.isEmpty()) {
      throw malformed("Missing required field Statement");
    }
    return new BucketPolicy(List.copyOf(out));
  }

  private static Statement statement(JsonObject s, String bucket) {
    for (String field : s.keySet()) {
      if (!STATEMENT_FIELDS.contains(field)) {
        throw malformed("Policy has an unsupported statement field: " + field);
      }
    }
    String effect = string(s.get("Effect"), "Effect");
    if (!effect.equals("Allow") && !effect.equals("Deny")) {
      throw malformed("Invalid effect: " + effect);
    }
    JsonElement p = s.get("Principal");
    if (p == null) {
      throw malformed("Missing required field Principal");
    }
    List<String> principals = new ArrayList<>();
    if (p.isJsonPrimitive()) {
      if (!p.getAsString().equals("*")) {
        throw malformed("Invalid principal in policy");
      }
      principals.add("*");
    } else if (p.isJsonObject() && p.getAsJsonObject().has("AWS") && p.getAsJsonObject().size() == 1) {
      for (String v : strings(p.getAsJsonObject().get("AWS"), "Principal")) {
        principals.add(principalName(v));
      }
    } else {
      throw malformed("Invalid principal in policy");
    }
    List<String> actions = strings(s.get("Action"), "Action");
    for (String a : actions) {
      if (!a.equals("*") && !a.toLowerCase(Locale.ROOT).startsWith("s3:")) {
        throw malformed("Policy has invalid action: " + a);
      }
    }
    List<String> resources = strings(s.get("Resource"), "Resource");
    for (String r : resources) {
      if (!Wildcards.matches(r, "arn:aws:s3:::" + bucket) && !Wildcards.matches(r, "arn:aws:s3:::" + bucket + "/x")
          && !r.startsWith("arn:aws:s3:::" + bucket + "/")) {
        throw malformed("Policy has invalid resource: " + r);
      }
    }
    return new Statement(effect.equals("Allow"), List.copyOf(principals), List.copyOf(actions), List.copyOf(resources));
  }

  /** {@code *}, a bare user name, or an IAM user ARN; returns the user name (or {@code *}). */
  static String principalName(String v) {
    if (v.equals("*")) {
      return v;
    }
    int at = v.indexOf(":user/");
    if (v.startsWith("arn:aws:iam::") && at > 0) {
      return v.substring(at + ":user/".length());
    }
    if (v.startsWith("arn:")) {
      throw malformed("Invalid principal in policy: " + v);
    }
    return v;
  }

  /**
   * @param user the requester's user name, null for anonymous
   * @param action e.g. {@code s3:GetObject}
   * @param resource {@code arn:aws:s3:::bucket} or {@code arn:aws:s3:::bucket/key}
   */
  public Decision evaluate(String user, String action, String resource) {
    boolean allowed = false;
    for (Statement s : statements) {
      boolean principal = s.principals().stream().anyMatch(p -> p.equals("*") || p.equals(user));
      boolean act = s.actions().stream().anyMatch(a -> Wildcards.matchesIgnoreCase(a, action));
      boolean res = s.resources().stream().anyMatch(r -> Wildcards.matches(r, resource));
      if (principal && act && res) {
        if (!s.allow()) {
          return Decision.DENY;
        }
        allowed = true;
      }
    }
    return allowed ? Decision.ALLOW : Decision.NONE;
  }

  private static JsonArray single(JsonElement e) {
    JsonArray a = new JsonArray();
    a.add(e);
    return a;
  }

  private static String string(JsonElement e, String field) {
    if (e == null || !e.isJsonPrimitive()) {
      throw malformed("Missing required field " + field);
    }
    return e.getAsString();
  }

  private static List<String> strings(JsonElement e, String field) {
    if (e == null) {
      throw malformed("Missing required field " + field);
    }
    List<String> out = new ArrayList<>();
    for (JsonElement x : e.isJsonArray() ? e.getAsJsonArray() : single(e)) {
      out.add(string(x, field));
    }
    if (out.isEmpty()) {
      throw malformed("Missing required field " + field);
    }
    return out;
  }

  private static S3Exception malformed(String why) {
    return new S3Exception(S3ErrorCode.MALFORMED_POLICY, why);
  }
}

package io.strata.sim;

import io.strata.common.AdminHttpServer;
import io.strata.common.AdminHttpServer.Request;
import io.strata.common.AdminHttpServer.Response;
import io.strata.common.Json;
import io.strata.s3.auth.AccessKey;
import io.strata.s3.auth.IamStore;
import java.util.ArrayList;
import java.util.List;

/** {@code /admin/user} and {@code /admin/key}: S3 users and access keys behind the CLI. */
final class S3AdminRoutes {
  private final IamStore iam;

  S3AdminRoutes(IamStore iam) {
    this.iam = iam;
  }

  void register(AdminHttpServer admin) {
    admin.route("/admin/user", req -> guarded(() -> user(req)));
    admin.route("/admin/key", req -> guarded(() -> key(req)));
  }

  private Response user(Request req) {
    if (!"create".equals(req.param("action")) || req.param("name") == null) {
      return Response.json(400, "{\"error\":\"action=create&name=NAME\"}");
    }
    return Response.json(200, json(iam.createUser(req.param("name"))));
  }

  private Response key(Request req) {
    String user = req.param("user");
    if (user == null || req.param("action") == null) {
      return Response.json(400, "{\"error\":\"action=create|list|delete&user=NAME[&id=KEY]\"}");
    }
    return switch (req.param("action")) {
      case "create" -> Response.json(200, json(iam.createKey(user)));
      case "list" -> {
        List<String> ids = new ArrayList<>();
        iam.listKeys(user).forEach(id -> ids.add(Json.quote(id)));
        yield Response.json(200, "{\"user\":" + Json.quote(user) + ",\"accessKeyIds\":[" + String.join(",", ids) + "]}");
      }
      case "delete" -> iam.deleteKey(user, req.param("id") == null ? "" : req.param("id"))
          ? Response.json(200, "{\"deleted\":" + Json.quote(req.param("id")) + "}")
          : Response.json(404, "{\"error\":\"user " + user + " has no key " + req.param("id") + "\"}");
      default -> Response.json(400, "{\"error\":\"action is create|list|delete\"}");
    };
  }

  private static String json(AccessKey k) {
    return "{\"user\":" + Json.quote(k.userName()) + ",\"accessKeyId\":" + Json.quote(k.accessKeyId())
        + ",\"secretAccessKey\":" + Json.quote(k.secretKey()) + "}";
  }

  private interface Action {
    Response run();
  }

  private static Response guarded(Action a) {
    try {
      return a.run();
    } catch (IllegalArgumentException e) {
      return Response.json(400, "{\"error\":" + Json.quote(e.getMessage()) + "}");
    } catch (IllegalStateException e) {
      return Response.json(409, "{\"error\":" + Json.quote(e.getMessage()) + "}");
    }
  }
}

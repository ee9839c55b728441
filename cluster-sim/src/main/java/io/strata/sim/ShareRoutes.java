package io.strata.sim;

import io.strata.common.AdminHttpServer;
import io.strata.common.AdminHttpServer.Request;
import io.strata.common.AdminHttpServer.Response;
import io.strata.common.Json;
import io.strata.nfs.share.ClientRule;
import io.strata.nfs.share.Share;
import io.strata.nfs.share.ShareService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code /admin/share}: the NFS share API behind {@code strata share create|list|delete}. */
final class ShareRoutes {
  private final ShareService shares;
  private final String nfsEndpoint;

  ShareRoutes(ShareService shares, String nfsEndpoint) {
    this.shares = shares;
    this.nfsEndpoint = nfsEndpoint;
  }

  void register(AdminHttpServer admin) {
    admin.route("/admin/share", req -> {
      try {
        return share(req);
      } catch (IllegalArgumentException | NullPointerException e) {
        return Response.json(400, "{\"error\":" + Json.quote(String.valueOf(e.getMessage())) + "}");
      } catch (RuntimeException e) {
        return Response.json(409, "{\"error\":" + Json.quote(String.valueOf(e.getMessage())) + "}");
      }
    });
  }

  private Response share(Request req) {
    String action = req.param("action") == null ? "list" : req.param("action");
    return switch (action) {
      case "create" -> {
        String clients = req.param("clients") == null ? "127.0.0.0/8" : req.param("clients");
        Share s = shares.create(req.param("name"), Sizes.parse(req.param("size")),
            Arrays.asList(clients.split(",")), "ro".equals(req.param("access")), !"none".equals(req.param("squash")));
        yield Response.json(200, json(s));
      }
      case "list" -> {
        List<String> all = new ArrayList<>();
        shares.list().forEach(s -> all.add(json(s)));
        yield Response.json(200, "[" + String.join(",", all) + "]");
      }
      case "delete" -> {
        shares.delete(req.param("name"));
        yield Response.json(200, "{\"deleted\":" + Json.quote(req.param("name")) + "}");
      }
      default -> Response.json(400, "{\"error\":\"action is create|list|delete\"}");
    };
  }

  private String json(Share s) {
    List<String> clients = s.clients().stream().map(ClientRule::text).map(Json::quote).toList();
    return "{\"name\":" + Json.quote(s.name()) + ",\"sizeBytes\":" + s.sizeBytes() + ",\"clients\":["
        + String.join(",", clients) + "],\"access\":" + Json.quote(s.readOnly() ? "ro" : "rw")
        + ",\"rootSquash\":" + s.rootSquash() + ",\"fsid\":" + s.fsid()
        + ",\"url\":" + Json.quote("nfs://127.0.0.1/" + s.name() + nfsEndpoint) + "}";
  }
}

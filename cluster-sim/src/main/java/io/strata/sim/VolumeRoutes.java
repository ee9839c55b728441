package io.strata.sim;

import io.strata.block.nbd.NbdServer;
import io.strata.block.volume.Attachment;
import io.strata.block.volume.Snapshot;
import io.strata.block.volume.Volume;
import io.strata.block.volume.VolumeInfo;
import io.strata.block.volume.VolumeService;
import io.strata.common.AdminHttpServer;
import io.strata.common.AdminHttpServer.Request;
import io.strata.common.AdminHttpServer.Response;
import io.strata.common.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /admin/volume} and {@code /admin/snapshot}: the cloud-disk API behind the CLI. Snapshots
 * go through the NBD server, which pauses and flushes a volume it is serving first.
 */
final class VolumeRoutes {
  private final NbdServer nbd;
  private final VolumeService volumes;

  VolumeRoutes(NbdServer nbd) {
    this.nbd = nbd;
    this.volumes = nbd.volumes();
  }

  void register(AdminHttpServer admin) {
    admin.route("/admin/volume", req -> guarded(() -> volume(req)));
    admin.route("/admin/snapshot", req -> guarded(() -> snapshot(req)));
  }

  private Response volume(Request req) {
    String action = req.param("action") == null ? "list" : req.param("action");
    String name = req.param("name");
    return switch (action) {
      case "create" -> Response.json(200, json(volumes.create(name, Sizes.parse(req.param("size")))));
      case "list" -> {
        List<String> all = new ArrayList<>();
        volumes.list().forEach(v -> all.add(json(v)));
        yield Response.json(200, "[" + String.join(",", all) + "]");
      }
      case "info" -> {
        VolumeInfo i = volumes.info(name);
        List<String> snaps = new ArrayList<>();
        volumes.listSnapshots(name).forEach(s -> snaps.add(Json.quote(s.name())));
        List<String> holders = new ArrayList<>();
        i.volume().attachments().forEach(at -> holders.add(json(name, at)));
        yield Response.json(200, json(i.volume()).replaceFirst("}$", ",\"usedBytes\":" + i.usedBytes()
            + ",\"epoch\":" + i.volume().epoch() + ",\"layers\":" + i.volume().layers().size()
            + ",\"snapshots\":[" + String.join(",", snaps) + "],\"attachedTo\":[" + String.join(",", holders) + "]}"));
      }
      case "resize" -> Response.json(200, json(volumes.resize(name, Sizes.parse(req.param("size")))));
      case "delete" -> {
        volumes.delete(name, "true".equals(req.param("force")));
        yield Response.json(200, "{\"deleted\":" + Json.quote(name) + "}");
      }
      case "clone" -> Response.json(200, json(volumes.cloneOf(req.param("volume"), req.param("snapshot"), name)));
      case "attach" -> {
        Attachment.AttachMode mode = Attachment.AttachMode.valueOf(
            (req.param("mode") == null ? "exclusive" : req.param("mode")).toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        Attachment at = volumes.attach(name, req.param("holder"), mode, "true".equals(req.param("takeover")));
        yield Response.json(200, json(name, at).replaceFirst("^\\{", "{\"volume\":" + Json.quote(name) + ","));
      }
      case "detach" -> {
        volumes.detach(name, req.param("holder"));
        yield Response.json(200, "{\"volume\":" + Json.quote(name) + ",\"detached\":" + Json.quote(req.param("holder")) + "}");
      }
      default -> Response.json(400, "{\"error\":\"action is create|list|info|resize|delete|clone|attach|detach\"}");
    };
  }

  private Response snapshot(Request req) {
    String volume = req.param("volume");
    return switch (req.param("action") == null ? "list" : req.param("action")) {
      case "create" -> Response.json(200, json(nbd.snapshot(volume, req.param("name"))));
      case "list" -> {
        List<String> all = new ArrayList<>();
        volumes.listSnapshots(volume).forEach(s -> all.add(json(s)));
        yield Response.json(200, "[" + String.join(",", all) + "]");
      }
      case "delete" -> {
        volumes.deleteSnapshot(volume, req.param("name"));
        yield Response.json(200, "{\"deleted\":" + Json.quote(req.param("name")) + "}");
      }
      default -> Response.json(400, "{\"error\":\"action is create|list|delete\"}");
    };
  }

  private static Response guarded(java.util.function.Supplier<Response> r) {
    try {
      return r.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      return Response.json(400, "{\"error\":" + Json.quote(String.valueOf(e.getMessage())) + "}");
    } catch (RuntimeException e) {
      return Response.json(409, "{\"error\":" + Json.quote(String.valueOf(e.getMessage())) + "}");
    }
  }

  /** An attachment, with the NBD export name its holder connects to. */
  static String json(String volume, Attachment at) {
    return "{\"holder\":" + Json.quote(at.holder()) + ",\"mode\":" + Json.quote(at.mode().name())
        + ",\"epoch\":" + at.epoch() + ",\"export\":" + Json.quote(volume + "@" + at.holder()) + "}";
  }

  static String json(Volume v) {
    return "{\"name\":" + Json.quote(v.name()) + ",\"sizeBytes\":" + v.sizeBytes() + ",\"attachments\":"
        + v.attachments().size() + ",\"createdMillis\":" + v.createdMillis() + "}";
  }

  static String json(Snapshot s) {
    return "{\"name\":" + Json.quote(s.name()) + ",\"volume\":" + Json.quote(s.volumeName())
        + ",\"sizeBytes\":" + s.sizeBytes() + ",\"createdMillis\":" + s.createdMillis() + "}";
  }
}

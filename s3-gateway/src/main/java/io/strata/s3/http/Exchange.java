package io.strata.s3.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.strata.s3.auth.Authenticated;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request/response on a connection, in phases: HEAD (parse + authenticate + route on the
 * worker pool), BODY (content pulled one message at a time with {@code ctx.read()}, paced by the
 * operation), EXECUTING, RESPONDING. Every method runs on the channel's event loop; work that
 * blocks goes to the worker pool and comes back through {@code ctx.executor()}.
 */
final class Exchange {
  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

  enum Phase { HEAD, BODY, EXECUTING, RESPONDING, DONE }

  private final S3ConnectionHandler connection;
  private final ChannelHandlerContext ctx;
  private final GatewayServices services;
  private final String requestId;
  private final boolean keepAlive;
  private final boolean headRequest;
  private final String method;
  private final long startNanos = System.nanoTime();
  private Phase phase = Phase.HEAD;
  private S3Request request;
  private Operation op;
  private RequestBody body;
  private boolean bodyComplete;
  private String resource = "/";
  private java.util.Map<String, String> extraHeaders = java.util.Map.of();

  Exchange(S3ConnectionHandler connection, ChannelHandlerContext ctx, GatewayServices services, HttpRequest head) {
    this.connection = connection;
    this.ctx = ctx;
    this.services = services;
    this.requestId = RequestIds.next();
    this.keepAlive = HttpUtil.isKeepAlive(head);
    this.headRequest = "HEAD".equals(head.method().name());
    this.method = head.method().name();
  }

  Phase phase() {
    return phase;
  }

  void start(HttpRequest head) {
    try {
      services.workers().execute(() -> prepare(head));
    } catch (RejectedExecutionException e) {
      fail(new S3Exception(S3ErrorCode.SLOW_DOWN));
    }
  }

  /** Worker thread: everything that may block before the body is read. */
  private void prepare(HttpRequest head) {
    try {
      S3Request r = services.parser().parse(head, requestId);
      ctx.executor().execute(() -> resource = r.resource());
      java.util.Map<String, String> cors = corsHeaders(r);
      if (!cors.isEmpty()) {
        ctx.executor().execute(() -> extraHeaders = cors);
      }
      Authenticated who = r.method().equals("OPTIONS")
          ? Authenticated.anonymous(io.strata.s3.auth.PayloadMode.UNSIGNED, io.strata.s3.auth.PayloadMode.UNSIGNED_PAYLOAD)
          : services.authenticator().authenticate(r);
      Operation o = services.router().route(r, who);
      RequestBody b = new RequestBody(r, who, o);
      o.beforeBody();
      ctx.executor().execute(() -> beginBody(r, o, b, HttpUtil.is100ContinueExpected(head)));
    } catch (Throwable t) {
      ctx.executor().execute(() -> fail(t));
    }
  }

  private java.util.Map<String, String> corsHeaders(S3Request r) {
    try {
      return services.router().corsHeaders(r);
    } catch (RuntimeException e) {
      return java.util.Map.of();  // CORS decoration never fails a request
    }
  }

  private void beginBody(S3Request r, Operation o, RequestBody b, boolean expectContinue) {
    if (phase != Phase.HEAD) {
      o.abort();
      return;
    }
    request = r;
    op = o;
    body = b;
    phase = Phase.BODY;
    if (expectContinue) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    }
    connection.resume();
  }

  /** Takes ownership of {@code c} (releases it). */
  void content(HttpContent c) {
    try {
      if (phase != Phase.BODY) {
        return;  // after a failure the connection is closing; drop the rest
      }
      body.feed(c.content());
      if (c instanceof LastHttpContent) {
        bodyComplete = true;
        phase = Phase.EXECUTING;
        BodyResult result = body.finish();
        op.end(result).whenComplete((reply, t) -> ctx.executor().execute(() -> {
          if (t != null) {
            fail(t);
          } else {
            respond(reply);
          }
        }));
      } else {
        op.ready().whenComplete((v, t) -> ctx.executor().execute(() -> {
          if (t != null) {
            fail(t);
          } else if (phase == Phase.BODY) {
            connection.resume();
          }
        }));
      }
    } catch (Throwable t) {
      fail(t);
    } finally {
      c.release();
    }
  }

  void fail(Throwable t) {
    if (phase == Phase.RESPONDING || phase == Phase.DONE) {
      ctx.close();
      return;
    }
    S3Exception e = ErrorReplies.toS3(t);
    if (e.code() == S3ErrorCode.INTERNAL_ERROR || e.code() == S3ErrorCode.SERVICE_UNAVAILABLE) {
      LOG.warn("request {} {} failed", requestId, resource, t);
    }
    abort();
    respond(ErrorReplies.of(e, resource, requestId));
  }

  /** The connection went away or the request failed: the operation discards what it wrote. */
  void abort() {
    if (op != null && phase != Phase.DONE && phase != Phase.RESPONDING) {
      op.abort();
    }
  }

  private void respond(Reply r) {
    phase = Phase.RESPONDING;
    // Bounded cardinality: one series per status class.
    GatewayMetrics.response(method, r.status(), (System.nanoTime() - startNanos) / 1000);
    boolean reuse = keepAlive && bodyComplete && !connection.draining();
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()));
    head.headers().set(r.headers());
    extraHeaders.forEach((k, v) -> head.headers().set(k, v));
    head.headers().set("x-amz-request-id", requestId);
    head.headers().set("x-amz-id-2", requestId);
    head.headers().set(HttpHeaderNames.SERVER, "Strata");
    head.headers().set(HttpHeaderNames.DATE, HttpDate.now());
    head.headers().set(HttpHeaderNames.CONNECTION, reuse ? "keep-alive" : "close");
    CompletableFuture<Void> done = new CompletableFuture<>();
    boolean bodiless = r.status() == 204 || r.status() == 304;
    if (r.stream() == null || headRequest || bodiless) {
      byte[] b = headRequest || bodiless ? new byte[0] : r.body();
      if (bodiless) {
        head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      } else if (!head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b == null ? 0 : b.length);
      }
      ctx.write(head);
      ctx.writeAndFlush(b == null || b.length == 0 ? LastHttpContent.EMPTY_LAST_CONTENT
          : new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.wrappedBuffer(b)))
          .addListener(f -> complete(done, f.cause()));
    } else {
      ctx.write(head);  // flushed with the body's first piece: one syscall for a small object
      r.stream().writeTo(ctx).whenComplete((v, t) -> complete(done, t));
    }
    done.whenComplete((v, t) -> ctx.executor().execute(() -> {
      if (t != null && !(ErrorReplies.unwrap(t) instanceof java.io.IOException)) {
        // The head is out, so the client only sees a short body: say why here (e.g. a lost chunk).
        LOG.warn("request {} {} failed while sending its body", requestId, resource, t);
      }
      finished(t == null && reuse);
    }));
  }

  private static void complete(CompletableFuture<Void> done, Throwable t) {
    if (t == null) {
      done.complete(null);
    } else {
      done.completeExceptionally(t);
    }
  }

  private void finished(boolean reuse) {
    phase = Phase.DONE;
    if (reuse && ctx.channel().isActive()) {
      connection.exchangeDone(this);
    } else {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}

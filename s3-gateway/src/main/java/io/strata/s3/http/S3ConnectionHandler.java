package io.strata.s3.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection. Auto-read is off: this handler pulls one HTTP message at a
 * time with {@code ctx.read()} (the FlowControlHandler in front makes that exact), so a request
 * body is read only as fast as the cluster takes it, and the next request only after the
 * current response is written.
 */
public final class S3ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(S3ConnectionHandler.class);

  private final GatewayServices services;
  private ChannelHandlerContext ctx;
  private Exchange current;
  private boolean draining;

  public S3ConnectionHandler(GatewayServices services) {
    this.services = services;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest head) {
      if (current != null) {
        ReferenceCountUtil.release(msg);  // cannot happen with a well-behaved decoder; be safe
        ctx.close();
        return;
      }
      current = new Exchange(this, ctx, services, head);
      if (head.decoderResult().isFailure()) {
        draining = true;
        ReferenceCountUtil.release(msg);
        current.fail(decoderError(head.decoderResult().cause()));
        return;
      }
      current.start(head);
      if (msg instanceof HttpContent c) {
        c.release();  // a full request from a decoder is only produced on failure (handled above)
      }
      return;
    }
    if (msg instanceof HttpContent c) {
      if (current == null) {
        c.release();
        ctx.read();
        return;
      }
      current.content(c);
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private static S3Exception decoderError(Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      return new S3Exception(S3ErrorCode.REQUEST_HEADER_TOO_LARGE);
    }
    return new S3Exception(S3ErrorCode.INVALID_REQUEST, "malformed HTTP request");
  }

  /** Whether the connection must close after the current response. */
  boolean draining() {
    return draining;
  }

  /** The response of {@code e} is written and the connection stays open: read the next request. */
  void exchangeDone(Exchange e) {
    if (current == e) {
      current = null;
    }
    ctx.read();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!(evt instanceof IdleStateEvent)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    if (current == null) {
      ctx.close();
      return;
    }
    switch (current.phase()) {
      case HEAD, EXECUTING -> { }  // our own work in progress, bounded by storage timeouts
      case BODY -> {
        draining = true;
        current.fail(new S3Exception(S3ErrorCode.REQUEST_TIMEOUT));
      }
      default -> ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (current != null) {
      current.abort();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("connection {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}

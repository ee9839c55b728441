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
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection. Messages go to an inbox and are handed to the current
 * {@link Exchange} one at a time, only when it asks for the next ({@link #resume()}); while it
 * is busy (authenticating, waiting for chunk writes, executing, responding) auto-read is off, so
 * a body is read only as fast as the cluster takes it and the next request waits for the
 * current response. The inbox only ever holds what one socket read decoded into.
 */
public final class S3ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(S3ConnectionHandler.class);

  private final GatewayServices services;
  private final ArrayDeque<Object> inbox = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Exchange current;
  private boolean busy;
  private boolean dispatching;
  private boolean draining;

  public S3ConnectionHandler(GatewayServices services) {
    this.services = services;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    inbox.add(msg);
    drain();
  }

  /** The current exchange can take the next message (event loop only). */
  void resume() {
    busy = false;
    drain();
  }

  private void drain() {
    if (dispatching) {
      return;  // the loop below picks the next message up
    }
    dispatching = true;
    try {
      while (!busy && !inbox.isEmpty()) {
        busy = true;
        dispatch(inbox.poll());
      }
    } finally {
      dispatching = false;
    }
    ctx.channel().config().setAutoRead(!busy);
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest head) {
      if (current != null) {
        ReferenceCountUtil.release(msg);  // a new request before the last one ended: protocol error
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
      ReferenceCountUtil.release(msg);  // only full requests (decoder failures) carry content
      current.start(head);
      return;
    }
    if (msg instanceof HttpContent c) {
      if (current == null) {
        c.release();
        busy = false;
        return;
      }
      current.content(c);
      return;
    }
    ReferenceCountUtil.release(msg);
    busy = false;
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

  /** The response of {@code e} is written and the connection stays open: take the next request. */
  void exchangeDone(Exchange e) {
    if (current == e) {
      current = null;
    }
    resume();
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
    while (!inbox.isEmpty()) {
      ReferenceCountUtil.release(inbox.poll());
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("connection {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}

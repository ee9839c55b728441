package io.strata.s3.http;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.CompletableFuture;

/**
 * A response body produced piece by piece after the head (object data). It writes HttpContent
 * messages ending with a LastHttpContent and completes when the last one is written; it must
 * wait for each write before producing the next, so one slow reader costs bounded memory.
 */
public interface BodyStream {
  CompletableFuture<Void> writeTo(ChannelHandlerContext ctx);
}

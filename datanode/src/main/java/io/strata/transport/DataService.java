package io.strata.transport;

import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;

/** What a {@link DataServer} serves. Runs on an event loop: must not block. */
public interface DataService {
  /**
   * Handles one request. The service owns {@code request}'s payload and releases it when done;
   * it answers exactly once through {@code reply}, from any thread.
   */
  void handle(Frame request, Reply reply);

  /** The answer to one request: a header and a payload whose reference passes to the transport. */
  interface Reply {
    void send(MessageLite header, ByteBuf payload);
  }
}

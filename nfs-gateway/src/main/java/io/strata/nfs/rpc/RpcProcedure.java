package io.strata.nfs.rpc;

/**
 * One procedure of one program version. Decoding is pure and runs on the event loop (a malformed
 * argument is GARBAGE_ARGS before any work is queued); execution may block on storage and runs
 * on a worker thread, writing its results after the accepted reply header.
 *
 * @param <A> decoded arguments
 */
public interface RpcProcedure<A> {
  A decode(XdrReader in);

  void execute(A args, CallContext ctx, XdrWriter out);

  /**
   * Tries to answer at once on the calling (event-loop) thread, which must not wait: returns
   * false, having written nothing, if the answer needs storage I/O; the call then runs on a
   * worker. Cheap lookups answered from the gateway's cache skip two thread hand-offs this way.
   */
  default boolean tryInline(A args, CallContext ctx, XdrWriter out) {
    return false;
  }

  /** Releases buffers the decoded arguments hold (e.g. WRITE data); called once after execution. */
  default void release(A args) {}

  /**
   * False for procedures whose repetition would answer differently (CREATE, REMOVE, ...):
   * their replies go through the duplicate request cache.
   */
  default boolean idempotent() {
    return true;
  }

  /** A size hint for the reply buffer. */
  default int replySizeHint(A args) {
    return 256;
  }
}

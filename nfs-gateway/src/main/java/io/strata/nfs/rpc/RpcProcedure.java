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

  /** Releases buffers the decoded arguments hold (e.g. WRITE data); called once after execution. */
  default void release(A args) {}

  /** A size hint for the reply buffer. */
  default int replySizeHint(A args) {
    return 256;
  }
}

package io.strata.nfs.rpc;

/** ONC RPC v2 constants (RFC 5531 section 9) and the limits we enforce. */
public final class Rpc {
  private Rpc() {}

  public static final int RPC_VERSION = 2;
  public static final int CALL = 0;
  public static final int REPLY = 1;
  public static final int MSG_ACCEPTED = 0;
  public static final int MSG_DENIED = 1;

  // accept_stat
  public static final int SUCCESS = 0;
  public static final int PROG_UNAVAIL = 1;
  public static final int PROG_MISMATCH = 2;
  public static final int PROC_UNAVAIL = 3;
  public static final int GARBAGE_ARGS = 4;
  public static final int SYSTEM_ERR = 5;

  // reject_stat
  public static final int RPC_MISMATCH = 0;
  public static final int AUTH_ERROR = 1;

  // auth_stat
  public static final int AUTH_BADCRED = 1;
  public static final int AUTH_REJECTEDCRED = 2;
  public static final int AUTH_BADVERF = 3;
  public static final int AUTH_TOOWEAK = 5;

  /** opaque_auth bodies are at most 400 bytes (RFC 5531 section 8.2). */
  public static final int MAX_AUTH_BYTES = 400;
}

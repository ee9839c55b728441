package io.strata.block.nbd;

/**
 * Constants of the NBD protocol (fixed newstyle negotiation, simple replies), named as in the
 * protocol document (github.com/NetworkBlockDevice/nbd, doc/proto.md), plus this server's limits.
 */
public final class Nbd {
  private Nbd() {}

  public static final long NBDMAGIC = 0x4e42444d41474943L;
  public static final long IHAVEOPT = 0x49484156454F5054L;
  public static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
  public static final int REQUEST_MAGIC = 0x25609513;
  public static final int SIMPLE_REPLY_MAGIC = 0x67446698;

  // handshake flags (server) and client flags
  public static final int FLAG_FIXED_NEWSTYLE = 1;
  public static final int FLAG_NO_ZEROES = 2;
  public static final int FLAG_C_FIXED_NEWSTYLE = 1;
  public static final int FLAG_C_NO_ZEROES = 2;

  // options
  public static final int OPT_EXPORT_NAME = 1;
  public static final int OPT_ABORT = 2;
  public static final int OPT_LIST = 3;
  public static final int OPT_STARTTLS = 5;
  public static final int OPT_INFO = 6;
  public static final int OPT_GO = 7;

  // option reply types
  public static final int REP_ACK = 1;
  public static final int REP_SERVER = 2;
  public static final int REP_INFO = 3;
  public static final int REP_ERR_UNSUP = 0x80000001;
  public static final int REP_ERR_POLICY = 0x80000002;
  public static final int REP_ERR_INVALID = 0x80000003;
  public static final int REP_ERR_UNKNOWN = 0x80000006;
  public static final int REP_ERR_SHUTDOWN = 0x80000007;
  public static final int REP_ERR_TOO_BIG = 0x80000009;

  // info types
  public static final int INFO_EXPORT = 0;
  public static final int INFO_BLOCK_SIZE = 3;

  // transmission flags
  public static final int TFLAG_HAS_FLAGS = 1;
  public static final int TFLAG_READ_ONLY = 1 << 1;
  public static final int TFLAG_SEND_FLUSH = 1 << 2;
  public static final int TFLAG_SEND_FUA = 1 << 3;
  public static final int TFLAG_SEND_TRIM = 1 << 5;
  public static final int TFLAG_SEND_WRITE_ZEROES = 1 << 6;
  public static final int TFLAG_CAN_MULTI_CONN = 1 << 8;

  // commands and command flags
  public static final int CMD_READ = 0;
  public static final int CMD_WRITE = 1;
  public static final int CMD_DISC = 2;
  public static final int CMD_FLUSH = 3;
  public static final int CMD_TRIM = 4;
  public static final int CMD_WRITE_ZEROES = 6;
  public static final int CMD_FLAG_FUA = 1;

  // errors in simple replies (errno values fixed by the protocol)
  public static final int EPERM = 1;
  public static final int EIO = 5;
  public static final int ENOMEM = 12;
  public static final int EINVAL = 22;
  public static final int ENOSPC = 28;
  public static final int EOVERFLOW = 75;
  public static final int ENOTSUP = 95;
  public static final int ESHUTDOWN = 108;

  // this server's limits
  /** Largest READ/WRITE payload, the protocol's customary 32 MiB maximum block size. */
  public static final int MAX_PAYLOAD_BYTES = 32 << 20;
  /** Largest option payload: a 4 KiB name plus info requests is far below it. */
  public static final int MAX_OPTION_BYTES = 16 << 10;
  public static final int MIN_BLOCK_BYTES = 1;
  public static final int PREFERRED_BLOCK_BYTES = 4096;
  /** Options a client may pipeline before we answer; more means a broken or hostile client. */
  public static final int MAX_QUEUED_OPTIONS = 16;
  public static final int HANDSHAKE_TIMEOUT_SECONDS = 30;
  /**
   * Connections per server. Memory stays below MAX_SERVER_IN_FLIGHT_BYTES plus, per connection,
   * one partly received WRITE (at most MAX_PAYLOAD_BYTES) in its decoder.
   */
  public static final int MAX_CONNECTIONS = 128;
  /** READ/WRITE payload bytes in flight across all connections of one server. */
  public static final long MAX_SERVER_IN_FLIGHT_BYTES = 256L << 20;
  /** Requests in flight per connection before we stop reading from it. */
  public static final int MAX_IN_FLIGHT_REQUESTS = 128;
  public static final long MAX_IN_FLIGHT_BYTES = 128L << 20;
  /**
   * A request unanswered this long is answered EIO and logged. Above the worst legitimate wait:
   * a chunk operation gives up after ChunkClient.OPERATION_DEADLINE_MILLIS (60 s) plus one RPC
   * deadline, and a read-modify-write chains two of them.
   */
  public static final int REQUEST_TIMEOUT_SECONDS = 180;
}

package io.strata.s3.body;

import io.netty.buffer.ByteBuf;
import io.strata.s3.auth.SigV4Crypto;
import io.strata.s3.auth.SigningContext;
import io.strata.s3.error.S3ErrorCode;
import io.strata.s3.error.S3Exception;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes an {@code aws-chunked} body incrementally: {@code hex[;chunk-signature=sig]CRLF data CRLF}
 * ... {@code 0[;chunk-signature=sig]CRLF}, trailing headers, CRLF. Payload bytes go to the sink as
 * they arrive (never buffered); each chunk's signature is checked when the chunk ends. Nothing
 * the sink receives may be committed before {@link #finish()} returns, since a later chunk can
 * still fail. Pure: no I/O, fed by the HTTP layer, tested on byte arrays.
 */
public final class AwsChunkedDecoder {
  static final int MAX_LINE_BYTES = 4096;
  static final int MAX_TRAILER_LINES = 16;
  static final long MAX_CHUNK_BYTES = 64L << 20;

  private enum State { SIZE_LINE, DATA, DATA_CRLF, TRAILER, DONE }

  private final SigningContext signing;   // null when chunks are unsigned
  private final boolean signedTrailer;
  private final Consumer<ByteBuf> sink;
  private final byte[] line = new byte[MAX_LINE_BYTES];
  private int lineLength;
  private State state = State.SIZE_LINE;
  private long remaining;
  private int crlfSeen;
  private String previousSignature;
  private String chunkSignature;
  private MessageDigest chunkDigest;
  private final StringBuilder trailerText = new StringBuilder();
  private final Map<String, String> trailers = new LinkedHashMap<>();
  private long decodedLength;

  /**
   * @param signing the request's signing context for signed chunks, null for unsigned ones
   * @param signedTrailer whether trailers end with {@code x-amz-trailer-signature}
   */
  public AwsChunkedDecoder(SigningContext signing, boolean signedTrailer, Consumer<ByteBuf> sink) {
    this.signing = signing;
    this.signedTrailer = signedTrailer;
    this.sink = sink;
    this.previousSignature = signing == null ? null : signing.seedSignature();
  }

  /** Consumes every readable byte of {@code in} (does not release it). */
  public void feed(ByteBuf in) {
    while (in.isReadable()) {
      switch (state) {
        case SIZE_LINE -> {
          if (readLine(in)) {
            startChunk(takeLine());
          }
        }
        case DATA -> {
          int n = (int) Math.min(remaining, in.readableBytes());
          ByteBuf slice = in.readSlice(n);
          if (chunkDigest != null) {
            chunkDigest.update(slice.nioBuffer());
          }
          remaining -= n;
          decodedLength += n;
          sink.accept(slice);
          if (remaining == 0) {
            endChunkData();
          }
        }
        case DATA_CRLF -> {
          byte b = in.readByte();
          if (b != (crlfSeen == 0 ? '\r' : '\n')) {
            throw malformed("chunk data not followed by CRLF");
          }
          if (++crlfSeen == 2) {
            state = State.SIZE_LINE;
          }
        }
        case TRAILER -> {
          if (readLine(in)) {
            trailerLine(takeLine());
          }
        }
        case DONE -> throw malformed("bytes after the end of the aws-chunked body");
      }
    }
  }

  /** Called at the end of the HTTP body; throws IncompleteBody unless the final chunk was seen. */
  public void finish() {
    if (state != State.DONE) {
      throw new S3Exception(S3ErrorCode.INCOMPLETE_BODY, "aws-chunked body ended before its final chunk");
    }
  }

  public long decodedLength() {
    return decodedLength;
  }

  /** Trailing headers (lower-case names), without the trailer signature. */
  public Map<String, String> trailers() {
    return trailers;
  }

  private void startChunk(String header) {
    int semi = header.indexOf(';');
    String hex = semi < 0 ? header : header.substring(0, semi);
    if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw malformed("bad chunk size '" + abbreviate(hex) + "'");
    }
    remaining = Long.parseLong(hex, 16);
    if (remaining > MAX_CHUNK_BYTES) {
      throw malformed("chunk of " + remaining + " bytes exceeds " + MAX_CHUNK_BYTES);
    }
    chunkSignature = null;
    if (semi >= 0) {
      String ext = header.substring(semi + 1);
      if (ext.startsWith("chunk-signature=")) {
        chunkSignature = ext.substring("chunk-signature=".length());
      }
    }
    if (signing != null && chunkSignature == null) {
      throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, "chunk without chunk-signature");
    }
    chunkDigest = signing == null ? null : SigV4Crypto.sha256();
    if (remaining == 0) {
      verifyChunkSignature();
      state = State.TRAILER;
    } else {
      state = State.DATA;
    }
  }

  private void endChunkData() {
    verifyChunkSignature();
    state = State.DATA_CRLF;
    crlfSeen = 0;
  }

  private void verifyChunkSignature() {
    if (signing == null) {
      return;
    }
    String hash = SigV4Crypto.hex(chunkDigest.digest());
    String expected = signing.chunkSignature(previousSignature, hash);
    if (!SigV4Crypto.constantTimeEquals(expected, chunkSignature)) {
      throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, "chunk signature does not match");
    }
    previousSignature = expected;
  }

  private void trailerLine(String l) {
    if (l.isEmpty()) {
      if (signedTrailer && !trailers.containsKey("x-amz-trailer-signature")) {
        throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, "trailer signature missing");
      }
      trailers.remove("x-amz-trailer-signature");
      state = State.DONE;
      return;
    }
    int colon = l.indexOf(':');
    if (colon <= 0 || trailers.size() >= MAX_TRAILER_LINES) {
      throw malformed("bad trailer line");
    }
    String name = l.substring(0, colon).trim().toLowerCase();
    String value = l.substring(colon + 1).trim();
    if (name.equals("x-amz-trailer-signature")) {
      if (!signedTrailer) {
        throw malformed("unexpected trailer signature");
      }
      String expected = signing.trailerSignature(previousSignature, SigV4Crypto.sha256Hex(trailerText.toString()));
      if (!SigV4Crypto.constantTimeEquals(expected, value)) {
        throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, "trailer signature does not match");
      }
    } else if (signing != null && !signedTrailer) {
      throw malformed("trailers are not allowed in this payload mode");
    } else {
      trailerText.append(name).append(':').append(value).append('\n');
    }
    trailers.put(name, value);
  }

  /** Accumulates one CRLF-terminated line; true when complete (CR and LF stripped). */
  private boolean readLine(ByteBuf in) {
    while (in.isReadable()) {
      byte b = in.readByte();
      if (b == '\n') {
        if (lineLength == 0 || line[lineLength - 1] != '\r') {
          throw malformed("line not terminated by CRLF");
        }
        lineLength--;
        return true;
      }
      if (lineLength == MAX_LINE_BYTES) {
        throw malformed("line longer than " + MAX_LINE_BYTES + " bytes");
      }
      line[lineLength++] = b;
    }
    return false;
  }

  private String takeLine() {
    String s = new String(line, 0, lineLength, StandardCharsets.US_ASCII);
    lineLength = 0;
    return s;
  }

  private static String abbreviate(String s) {
    return s.length() > 20 ? s.substring(0, 20) + "..." : s;
  }

  private static S3Exception malformed(String why) {
    return new S3Exception(S3ErrorCode.INVALID_CHUNK, "malformed aws-chunked body: " + why);
  }
}

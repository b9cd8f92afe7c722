package io.sensorfleet.core.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link FrameCodec#decode} made of one line: a frame, or the error to answer with. Bad input is an expected
 * outcome on a socket a container controls, so it is a value, never an exception.
 */
public sealed interface DecodeResult {

  /** The line was a valid frame. */
  record Decoded(Frame frame) implements DecodeResult {
    public Decoded {
      Objects.requireNonNull(frame, "frame");
    }
  }

  /**
   * The line was refused. Answer with {@link #toErrorFrame()} (unless you cannot tell whether the line was itself an
   * error frame: never answer an error with an error); if {@link #fatal()}, close the connection after sending it.
   *
   * @param message names the problem (the field, the byte offset); printable ASCII, safe to log
   * @param correlationId the line's {@code id}, when it could be read before the problem was found
   */
  record Rejected(ErrorCode code, String message, Optional<String> correlationId) implements DecodeResult {
    public Rejected {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(correlationId, "correlationId");
    }

    /** True when the connection must be closed after answering. */
    public boolean fatal() {
      return code.fatal();
    }

    /** The {@code error} frame that answers the refused line. */
    public Frame.Error toErrorFrame() {
      return Frame.Error.of(code, message, correlationId);
    }
  }
}

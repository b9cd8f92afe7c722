package io.sensorfleet.core.protocol;

/**
 * Unwinds the decoder from wherever it finds a problem to {@link FrameCodec#decode}, which turns it into a
 * {@link DecodeResult.Rejected}. Never leaves the package. No stack trace: it is control flow on bad input.
 */
final class Rejection extends Exception {

  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  Rejection(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  ErrorCode code() {
    return code;
  }
}

package io.sensorfleet.core.protocol;

import java.util.Objects;

/**
 * Turns frames into lines and lines into frames, for both ends of an Instrument connection. Immutable and thread-safe:
 * create one per set of limits ({@link #standard()} for the defaults) and share it.
 *
 * <p>Only the envelope is decoded into objects; payloads stay bytes ({@link RawJson}). {@link #decode} never throws
 * on any input: bad input comes back as {@link DecodeResult.Rejected} naming the problem, and the caller's
 * connection stays usable unless the result is {@link DecodeResult.Rejected#fatal() fatal}.
 */
public final class FrameCodec {

  private static final FrameCodec STANDARD = new FrameCodec(FrameLimits.DEFAULT);

  private final FrameLimits limits;
  private final FrameDecoder decoder;

  private FrameCodec(FrameLimits limits) {
    this.limits = limits;
    this.decoder = new FrameDecoder(limits);
  }

  /** The shared codec with {@link FrameLimits#DEFAULT}. */
  public static FrameCodec standard() {
    return STANDARD;
  }

  /** A codec with other limits, e.g. from settings; both ends of a connection should use the same. */
  public static FrameCodec withLimits(FrameLimits limits) {
    Objects.requireNonNull(limits, "limits");
    return limits.equals(FrameLimits.DEFAULT) ? STANDARD : new FrameCodec(limits);
  }

  public FrameLimits limits() {
    return limits;
  }

  /**
   * Decodes one line without its {@code \n} (a trailing {@code \r} is tolerated as whitespace). The array is not
   * kept: payloads are copied out, so the caller may reuse it.
   */
  public DecodeResult decode(byte[] line) {
    return decoder.decode(line, 0, line.length);
  }

  /**
   * Decodes {@code length} bytes of {@code buffer} from {@code offset}, for callers that read into a larger buffer.
   *
   * @throws IndexOutOfBoundsException if the range is not inside {@code buffer} (a caller bug, not bad input)
   */
  public DecodeResult decode(byte[] buffer, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, buffer.length);
    return decoder.decode(buffer, offset, length);
  }

  /**
   * Encodes {@code frame} as one line ending in {@code \n}, payloads copied in verbatim. Coalesce several into one
   * socket write where you can.
   *
   * @throws IllegalArgumentException if the line would exceed {@link FrameLimits#maxFrameBytes()}
   */
  public byte[] encode(Frame frame) {
    return FrameWriter.write(Objects.requireNonNull(frame, "frame"), limits);
  }
}

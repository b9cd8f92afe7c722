package io.sensorfleet.core.protocol;

/**
 * Size and nesting limits, the same on both ends of a connection (the peer rejects what exceeds its own).
 *
 * @param maxFrameBytes longest frame in bytes, not counting its {@code \n}; a longer line is fatal
 *     ({@code frame-too-large})
 * @param maxPayloadBytes longest raw JSON field (payload, config, metrics); kept {@link #ENVELOPE_HEADROOM} below
 *     {@code maxFrameBytes} by default, so a payload accepted in a {@code send} or {@code publish} still fits when the
 *     platform wraps it in a {@code deliver} or {@code event}
 * @param maxDepth deepest nesting of objects and arrays in a frame, the frame's own object counting as 1, so a
 *     payload may nest {@code maxDepth - 1} levels; bounded because receivers in other languages may parse
 *     recursively
 */
public record FrameLimits(int maxFrameBytes, int maxPayloadBytes, int maxDepth) {

  /** 1 MiB, as NATS's {@code max_payload}. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
  /** Bytes reserved for the envelope around a maximal payload (a deliver or event envelope needs under 300). */
  public static final int ENVELOPE_HEADROOM = 4096;
  /** Deep enough for any event format we know (Suricata EVE nests about 5), shallow enough for recursive parsers. */
  public static final int DEFAULT_MAX_DEPTH = 64;
  /** Anything deeper is refused even as a setting. */
  public static final int MAX_SUPPORTED_DEPTH = 1000;

  /** 1 MiB frames, payloads 4 KiB smaller, 64 levels. */
  public static final FrameLimits DEFAULT =
      new FrameLimits(DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_FRAME_BYTES - ENVELOPE_HEADROOM, DEFAULT_MAX_DEPTH);

  public FrameLimits {
    if (maxFrameBytes < 64) {
      throw new IllegalArgumentException("maxFrameBytes must be at least 64: " + maxFrameBytes);
    }
    if (maxPayloadBytes < 1 || maxPayloadBytes > maxFrameBytes) {
      throw new IllegalArgumentException("maxPayloadBytes must be between 1 and maxFrameBytes: " + maxPayloadBytes);
    }
    if (maxDepth < 2 || maxDepth > MAX_SUPPORTED_DEPTH) {
      throw new IllegalArgumentException("maxDepth must be between 2 and " + MAX_SUPPORTED_DEPTH + ": " + maxDepth);
    }
  }

  /** Limits for a given frame size, keeping the default headroom and depth. */
  public static FrameLimits ofFrameBytes(int maxFrameBytes) {
    return new FrameLimits(maxFrameBytes, Math.max(1, maxFrameBytes - ENVELOPE_HEADROOM), DEFAULT_MAX_DEPTH);
  }
}

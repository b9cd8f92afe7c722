package io.sensorfleet.core.protocol;

import java.util.Optional;

/**
 * The codes an {@code error} frame carries. Wire names are stable: peers and dashboards match on them, so a code is
 * never renamed, only added. A <em>fatal</em> code means the sender of the error closes the connection right after
 * sending it; every other error leaves the connection usable.
 */
public enum ErrorCode {
  /** The line is not JSON (syntax error, truncated, empty, comments, NaN, a BOM, a NUL or line-feed byte...). */
  MALFORMED_JSON("malformed-json", false),
  /** Valid JSON, but not an object. */
  NOT_AN_OBJECT("not-an-object", false),
  /** A required field is absent or {@code null}. */
  MISSING_FIELD("missing-field", false),
  /** A field has the wrong JSON type or a value outside its rules. */
  INVALID_FIELD("invalid-field", false),
  /** A top-level field name appears twice. */
  DUPLICATE_FIELD("duplicate-field", false),
  /** The {@code type} is not one this peer knows. */
  UNKNOWN_TYPE("unknown-type", false),
  /** A known type that the receiver does not accept from this peer (wrong direction) or in this state. */
  UNEXPECTED_FRAME("unexpected-frame", false),
  /** The JSON nests deeper than the limit. */
  TOO_DEEP("too-deep", false),
  /** The bytes are not well-formed UTF-8. */
  INVALID_UTF8("invalid-utf8", false),
  /** More data follows the frame's object on the same line. */
  TRAILING_DATA("trailing-data", false),
  /** A raw JSON field (payload, config, metrics) is larger than its limit; the frame itself was within its own. */
  PAYLOAD_TOO_LARGE("payload-too-large", false),
  /** The line is longer than the frame limit; the receiver cannot find the next frame reliably, so it closes. */
  FRAME_TOO_LARGE("frame-too-large", true),
  /** {@code hello} offered no protocol version the platform speaks; the platform closes. */
  UNSUPPORTED_VERSION("unsupported-version", true),
  /** {@code hello} names another Instrument than the one this socket belongs to; the platform closes. */
  IDENTITY_MISMATCH("identity-mismatch", true),
  /** The permission policy forbids this send, publish or subscribe; nothing was delivered. */
  NOT_PERMITTED("not-permitted", false),
  /** A {@code send} names an Instrument that is not installed. */
  UNKNOWN_INSTRUMENT("unknown-instrument", false),
  /** The peer sends faster than it is allowed to; the frame was dropped. */
  RATE_LIMITED("rate-limited", false),
  /** The handshake is not finished yet (anything but {@code hello} first). */
  NOT_READY("not-ready", false),
  /** A bug on the sender's side of the error; the frame may or may not have had an effect. */
  INTERNAL("internal", false);

  private final String wireName;
  private final boolean fatal;

  ErrorCode(String wireName, boolean fatal) {
    this.wireName = wireName;
    this.fatal = fatal;
  }

  /** The value of the {@code code} field, e.g. {@code missing-field}. */
  public String wireName() {
    return wireName;
  }

  /** True when the sender of this error closes the connection after sending it. */
  public boolean fatal() {
    return fatal;
  }

  /** The code with this wire name, or empty for a code this version does not know (a newer peer's). */
  public static Optional<ErrorCode> fromWireName(String name) {
    for (ErrorCode c : values()) {
      if (c.wireName.equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}

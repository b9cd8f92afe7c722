package io.sensorfleet.core.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One JSON value carried through as its UTF-8 bytes: a message or event payload, a configuration, metrics.
 *
 * <p>The platform routes payloads without reading them, so they are never parsed into objects nor re-serialized:
 * the decoder checks their syntax and depth with a streaming scan and keeps the bytes; the encoder writes them back
 * verbatim. Every instance holds exactly one syntactically valid JSON value other than {@code null} (which in a frame
 * means "absent"), without surrounding whitespace and without line-feed bytes, so it can always be embedded in a
 * frame. Immutable: the bytes are copied in and never
 * handed out.
 */
public final class RawJson {

  private static final int TO_STRING_LIMIT = 64;

  private final byte[] bytes;

  private RawJson(byte[] bytes) {
    this.bytes = bytes;
  }

  /** For the decoder: a copy of a slice it has already scanned. */
  static RawJson copyOfScanned(byte[] source, int offset, int length) {
    return new RawJson(Arrays.copyOfRange(source, offset, offset + length));
  }

  /**
   * Checks {@code json} (one JSON value but {@code null}, surrounding whitespace ignored, nesting at most
   * {@code FrameLimits.DEFAULT.maxDepth() - 1}) and keeps it. Line breaks between tokens become spaces, which
   * changes no JSON meaning, so pretty-printed JSON can be sent.
   *
   * @throws IllegalArgumentException if it is not exactly one valid JSON value other than null, within the default
   *     depth and payload size
   */
  public static RawJson of(String json) {
    return of(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Like {@link #of(String)} for UTF-8 bytes; the array is copied. */
  public static RawJson of(byte[] utf8) {
    return PayloadScanner.DEFAULT.scanStandalone(utf8);
  }

  /** For {@link PayloadScanner}: takes ownership of {@code owned}. */
  static RawJson adopt(byte[] owned) {
    return new RawJson(owned);
  }

  /** Size in bytes. */
  public int length() {
    return bytes.length;
  }

  /** True when the value is a JSON object. */
  public boolean isObject() {
    return bytes[0] == '{';
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** A read-only view of the bytes, without copying. */
  public ByteBuffer asReadOnlyBuffer() {
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /** Writes the bytes to {@code out}, without copying. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(bytes);
  }

  /** The JSON text. */
  public String asString() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** For the encoder, which only reads it. */
  byte[] unsafeBytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawJson other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The start of the text, for logs: truncated, so a large payload does not flood them. */
  @Override
  public String toString() {
    if (bytes.length <= TO_STRING_LIMIT) {
      return asString();
    }
    String head = new String(bytes, 0, TO_STRING_LIMIT, StandardCharsets.UTF_8);
    // A cut through a multi-byte character decodes to U+FFFD; drop it.
    if (head.endsWith("\ufffd")) {
      head = head.substring(0, head.length() - 1);
    }
    return head + "...(" + bytes.length + " bytes)";
  }
}

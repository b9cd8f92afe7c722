package io.sensorfleet.core.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Writes one frame as a line: {@code type} first, then {@code id}/{@code re}, then the other fields, a raw payload
 * last, then {@code \n}. Written by hand rather than through a JSON generator because the envelope is a handful of
 * known fields and raw payloads must be copied in verbatim; the records guarantee every value is valid.
 */
final class FrameWriter {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private byte[] buf;
  private int len;

  private FrameWriter(int capacity) {
    buf = new byte[capacity];
  }

  static byte[] write(Frame frame, FrameLimits limits) {
    if (frame instanceof Frame.Deliver deliver) {
      return deliver(deliver, limits);
    }
    FrameWriter w = new FrameWriter(256 + payloadLength(frame));
    w.ascii("{\"type\":\"").ascii(frame.type().wireName()).ascii("\"");
    switch (frame) {
      case Frame.Hello f -> {
        w.string("id", f.id()).integers("versions", f.versions()).string("instrument", f.instrument().value())
            .string("software", f.software());
      }
      case Frame.Welcome f -> {
        w.string("re", f.re()).number("version", f.version()).string("instrument", f.instrument().value());
        f.config().ifPresent(c -> w.number("config_version", c.version()).raw("config", c.config()));
      }
      case Frame.Config f -> w.string("id", f.id()).number("version", f.version()).raw("config", f.config());
      case Frame.ConfigAck f -> w.string("re", f.re()).number("version", f.version());
      case Frame.ConfigReject f -> w.string("re", f.re()).number("version", f.version()).string("reason", f.reason());
      case Frame.HealthQuery f -> w.string("id", f.id());
      case Frame.HealthReport f -> {
        w.string("re", f.re()).string("status", f.status().wireName()).string("detail", f.detail());
        f.metrics().ifPresent(m -> w.raw("metrics", m));
      }
      case Frame.RetentionEnforce f -> w.string("id", f.id()).string("cutoff", f.cutoff().toString());
      case Frame.RetentionReport f -> w.string("re", f.re()).string("cutoff", f.cutoff().toString())
          .number("deleted_files", f.deletedFiles()).number("deleted_bytes", f.deletedBytes())
          .number("remaining_bytes", f.remainingBytes()).string("notes", f.notes());
      case Frame.Send f -> w.string("id", f.id()).string("to", f.to().value()).bool("ack", f.ack())
          .raw("payload", f.payload());
      case Frame.Deliver f -> w.string("from", f.from().value()).raw("payload", f.payload());
      case Frame.Publish f -> w.string("id", f.id()).string("topic", f.topic().value())
          .string("audience", f.audience().wireName()).raw("payload", f.payload());
      case Frame.Subscribe f -> w.string("id", f.id()).string("topic", f.topic().value());
      case Frame.Unsubscribe f -> w.string("id", f.id()).string("topic", f.topic().value());
      case Frame.Event f -> w.string("topic", f.topic().value()).string("from", f.from().value())
          .string("audience", f.audience().wireName()).string("occurred_at", f.occurredAt().toString())
          .raw("payload", f.payload());
      case Frame.ResourceAvailable f -> w.string("id", f.id()).string("name", f.name())
          .string("version", f.version()).string("sha256", f.sha256()).number("size", f.size())
          .string("location", f.location());
      case Frame.Ack f -> w.string("re", f.re());
      case Frame.Error f -> w.string("re", f.re()).string("code", f.code()).string("message", f.message());
      case Frame.Bye f -> w.string("reason", f.reason());
    }
    w.ascii("}");
    if (w.len > limits.maxFrameBytes()) {
      throw new IllegalArgumentException(
          frame.type().wireName() + " frame is " + w.len + " bytes, the limit is " + limits.maxFrameBytes());
    }
    w.ascii("\n");
    return w.len == w.buf.length ? w.buf : Arrays.copyOf(w.buf, w.len);
  }

  private static final byte[] DELIVER_HEAD = "{\"type\":\"deliver\",\"from\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DELIVER_PAYLOAD = "\",\"payload\":".getBytes(StandardCharsets.US_ASCII);

  /**
   * The bus's hot path: a {@code deliver} written straight into an array of its exact size, the payload copied in
   * once. An instrument id is plain ASCII that needs no escaping ({@code InstrumentId}'s rule).
   */
  private static byte[] deliver(Frame.Deliver frame, FrameLimits limits) {
    String from = frame.from().value();
    byte[] payload = frame.payload().unsafeBytes();
    int length = DELIVER_HEAD.length + from.length() + DELIVER_PAYLOAD.length + payload.length + 1;
    if (length > limits.maxFrameBytes()) {
      throw new IllegalArgumentException("deliver frame is " + length + " bytes, the limit is " + limits.maxFrameBytes());
    }
    byte[] line = new byte[length + 1];
    System.arraycopy(DELIVER_HEAD, 0, line, 0, DELIVER_HEAD.length);
    int n = DELIVER_HEAD.length;
    for (int k = 0; k < from.length(); k++) {
      line[n++] = (byte) from.charAt(k);
    }
    System.arraycopy(DELIVER_PAYLOAD, 0, line, n, DELIVER_PAYLOAD.length);
    n += DELIVER_PAYLOAD.length;
    System.arraycopy(payload, 0, line, n, payload.length);
    n += payload.length;
    line[n++] = '}';
    line[n] = '\n';
    return line;
  }

  private static int payloadLength(Frame frame) {
    return switch (frame) {
      case Frame.Welcome f -> f.config().map(c -> c.config().length()).orElse(0);
      case Frame.Config f -> f.config().length();
      case Frame.HealthReport f -> f.metrics().map(RawJson::length).orElse(0);
      case Frame.Send f -> f.payload().length();
      case Frame.Deliver f -> f.payload().length();
      case Frame.Publish f -> f.payload().length();
      case Frame.Event f -> f.payload().length();
      default -> 0;
    };
  }

  private FrameWriter key(String name) {
    return ascii(",\"").ascii(name).ascii("\":");
  }

  private FrameWriter string(String name, String value) {
    key(name);
    quoted(value);
    return this;
  }

  private FrameWriter string(String name, Optional<String> value) {
    value.ifPresent(v -> string(name, v));
    return this;
  }

  private FrameWriter number(String name, long value) {
    return key(name).ascii(Long.toString(value));
  }

  private FrameWriter number(String name, OptionalLong value) {
    if (value.isPresent()) {
      number(name, value.getAsLong());
    }
    return this;
  }

  private FrameWriter bool(String name, boolean value) {
    return key(name).ascii(value ? "true" : "false");
  }

  private FrameWriter integers(String name, List<Integer> values) {
    key(name).ascii("[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        ascii(",");
      }
      ascii(Integer.toString(values.get(i)));
    }
    return ascii("]");
  }

  private FrameWriter raw(String name, RawJson value) {
    key(name);
    byte[] bytes = value.unsafeBytes();
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
    return this;
  }

  private FrameWriter ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[len++] = (byte) s.charAt(i);
    }
    return this;
  }

  /** A JSON string in UTF-8, escaping only what JSON requires, with the shortest escape for each character. */
  private void quoted(String s) {
    // Worst case 6 bytes per char (\\u00XX); a surrogate pair is 4 bytes for 2 chars.
    ensure(2 + 6 * s.length());
    byte[] b = buf;
    int n = len;
    b[n++] = '"';
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        b[n++] = (byte) c;
      } else if (c < 0x80) {
        b[n++] = '\\';
        switch (c) {
          case '"' -> b[n++] = '"';
          case '\\' -> b[n++] = '\\';
          case '\n' -> b[n++] = 'n';
          case '\r' -> b[n++] = 'r';
          case '\t' -> b[n++] = 't';
          case '\b' -> b[n++] = 'b';
          case '\f' -> b[n++] = 'f';
          default -> {
            b[n++] = 'u';
            b[n++] = '0';
            b[n++] = '0';
            b[n++] = HEX[c >> 4];
            b[n++] = HEX[c & 0xf];
          }
        }
      } else if (c < 0x800) {
        b[n++] = (byte) (0xc0 | (c >> 6));
        b[n++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[n++] = (byte) (0xf0 | (cp >> 18));
        b[n++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        b[n++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        b[n++] = (byte) (0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        // The records refuse unpaired surrogates; reaching this is a bug, not bad input.
        throw new IllegalStateException("unpaired surrogate in a frame field");
      } else {
        b[n++] = (byte) (0xe0 | (c >> 12));
        b[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        b[n++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    b[n++] = '"';
    len = n;
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }
}

package io.sensorfleet.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Decodes one line: size, then bytes ({@link Utf8Scan}), then one pass over the envelope (skipping, not building,
 * nested values), then the field rules ({@link FrameBinder}). The pass is {@link EnvelopeScanner}'s when it accepts
 * the line (it checks the bytes as it goes, so a line it accepts is read once), else the bytes are checked and
 * Jackson's streaming parser reads the line, which then names what is wrong. Stateless, so one instance serves every
 * connection.
 */
final class FrameDecoder {

  private final FrameLimits limits;
  private final JsonFactory json;
  private final boolean fastPath;

  FrameDecoder(FrameLimits limits) {
    this(limits, true);
  }

  /** {@code fastPath} false: Jackson reads every line, for tests comparing the two readings. */
  FrameDecoder(FrameLimits limits, boolean fastPath) {
    this.limits = limits;
    this.json = JsonSupport.factory(limits.maxDepth(), limits.maxFrameBytes());
    this.fastPath = fastPath;
  }

  DecodeResult decode(byte[] line, int offset, int length) {
    Envelope envelope = new Envelope(line, offset, limits, json);
    try {
      if (length > limits.maxFrameBytes()) {
        throw new Rejection(ErrorCode.FRAME_TOO_LARGE,
            "frame is " + length + " bytes, the limit is " + limits.maxFrameBytes());
      }
      // The fast path checks the bytes as it goes (EnvelopeScanner); anything it gives up on is checked as before.
      if (!fastPath || !EnvelopeScanner.read(envelope, line, offset, length, limits.maxDepth())) {
        // Unusual or bad: the bytes, then Jackson from scratch, name the problem if there is one.
        envelope = new Envelope(line, offset, limits, json);
        Utf8Scan.Result scan = Utf8Scan.firstProblem(line, offset, length, false);
        if (scan.problem() != Utf8Scan.Problem.NONE) {
          readIdBefore(envelope, line, offset, scan.index());
          throw rejection(scan);
        }
        read(envelope, line, offset, length);
      }
      return new DecodeResult.Decoded(FrameBinder.bind(envelope));
    } catch (Rejection r) {
      return new DecodeResult.Rejected(r.code(), r.getMessage(), envelope.correlationId());
    } catch (InvalidFieldException e) {
      return new DecodeResult.Rejected(ErrorCode.INVALID_FIELD, e.getMessage(), envelope.correlationId());
    } catch (RuntimeException e) {
      // A bug of ours, not bad input: still an answer, never an exception into the connection's stream.
      return new DecodeResult.Rejected(ErrorCode.INTERNAL,
          "the decoder failed: " + e.getClass().getSimpleName(), envelope.correlationId());
    }
  }

  private void read(Envelope envelope, byte[] line, int offset, int length) throws Rejection {
    try (JsonParser p = json.createParser(line, offset, length)) {
      try {
        readObject(envelope, p, length);
      } catch (JsonProcessingException e) {
        // Inside the try: closing the parser moves its position to the end of the input.
        throw translate(e, p, envelope);
      }
    } catch (IOException e) {
      throw new Rejection(ErrorCode.MALFORMED_JSON, "unreadable frame");
    }
  }

  private static void readObject(Envelope envelope, JsonParser p, int length) throws IOException, Rejection {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw new Rejection(ErrorCode.MALFORMED_JSON, length == 0 ? "empty frame" : "frame is only whitespace");
    }
    if (t != JsonToken.START_OBJECT) {
      throw new Rejection(ErrorCode.NOT_AN_OBJECT, "a frame must be a JSON object, got " + JsonSupport.kind(t));
    }
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (value == null) {
        throw new Rejection(ErrorCode.MALFORMED_JSON, "the line ends inside a JSON value");
      }
      int start = (int) p.currentTokenLocation().getByteOffset();
      String text = null;
      if (value.isStructStart()) {
        p.skipChildren();
      } else if (value == JsonToken.VALUE_STRING || value.isNumeric()) {
        text = p.getText();
      }
      envelope.add(name, value, text, start, (int) p.currentLocation().getByteOffset());
    }
    envelope.closeRoot();
    if (p.nextToken() != null) {
      throw new Rejection(ErrorCode.TRAILING_DATA,
          "data after the frame's object, at byte " + p.currentTokenLocation().getByteOffset());
    }
  }

  private Rejection translate(JsonProcessingException e, JsonParser p, Envelope envelope) {
    long at = JsonSupport.byteOffset(e, p);
    if (envelope.rootClosed()) {
      return new Rejection(ErrorCode.TRAILING_DATA, "data after the frame's object, at byte " + at);
    }
    if (JsonSupport.isTooDeep(e)) {
      return new Rejection(ErrorCode.TOO_DEEP, "JSON nests deeper than " + limits.maxDepth() + " levels, at byte " + at);
    }
    return new Rejection(ErrorCode.MALFORMED_JSON, JsonSupport.describe(e) + ", at byte " + at);
  }

  /** Reads the clean bytes before a bad one, only to learn the frame's id for the error answer. */
  private void readIdBefore(Envelope envelope, byte[] line, int offset, int cleanLength) {
    try {
      read(envelope, line, offset, cleanLength);
    } catch (Rejection expected) {
      // The prefix is incomplete by construction; whatever id it held is now in the envelope.
    }
  }

  private static Rejection rejection(Utf8Scan.Result scan) {
    return switch (scan.problem()) {
      case INVALID_UTF8 -> new Rejection(ErrorCode.INVALID_UTF8, "invalid UTF-8 at byte " + scan.index());
      case NUL -> new Rejection(ErrorCode.MALFORMED_JSON, "NUL byte at byte " + scan.index());
      case LINE_FEED -> new Rejection(ErrorCode.MALFORMED_JSON,
          "line feed inside the frame at byte " + scan.index() + " (frames end at the first line feed)");
      case BYTE_ORDER_MARK -> new Rejection(ErrorCode.MALFORMED_JSON, "frame starts with a byte order mark");
      case NONE -> throw new IllegalStateException("no problem to report");
    };
  }
}

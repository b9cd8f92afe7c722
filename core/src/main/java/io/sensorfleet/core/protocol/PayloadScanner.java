package io.sensorfleet.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;

/** Validates JSON that a program hands us as a payload ({@link RawJson#of}), with the checks the decoder applies. */
final class PayloadScanner {

  static final PayloadScanner DEFAULT = new PayloadScanner(FrameLimits.DEFAULT);

  private final FrameLimits limits;
  private final JsonFactory json;
  private final boolean fastPath;

  PayloadScanner(FrameLimits limits) {
    this(limits, true);
  }

  /** {@code fastPath} false: Jackson reads every input, for tests comparing the two readings. */
  PayloadScanner(FrameLimits limits, boolean fastPath) {
    this.limits = limits;
    this.fastPath = fastPath;
    // The payload sits one level inside the frame's object.
    this.json = JsonSupport.factory(limits.maxDepth() - 1, limits.maxFrameBytes());
  }

  RawJson scanStandalone(byte[] utf8) {
    if (utf8.length > limits.maxFrameBytes()) {
      throw new IllegalArgumentException(
          "JSON is " + utf8.length + " bytes, more than a frame may carry (" + limits.maxFrameBytes() + ")");
    }
    Utf8Scan.Result scan = Utf8Scan.firstProblem(utf8, 0, utf8.length, true);
    if (scan.problem() != Utf8Scan.Problem.NONE) {
      throw new IllegalArgumentException("not valid JSON text: " + scan.problem() + " at byte " + scan.index());
    }
    int[] range = fastPath ? fastRange(utf8) : null;
    if (range == null) {
      range = jacksonRange(utf8);
    }
    int start = range[0];
    int end = range[1];
    if (end - start > limits.maxPayloadBytes()) {
      throw new IllegalArgumentException(
          "JSON is " + (end - start) + " bytes, more than a payload may have (" + limits.maxPayloadBytes() + ")");
    }
    byte[] owned = Arrays.copyOfRange(utf8, start, end);
    for (int i = 0; i < owned.length; i++) {
      // Outside strings (where JSON forbids raw control characters) these are only whitespace.
      if (owned[i] == '\n' || owned[i] == '\r') {
        owned[i] = ' ';
      }
    }
    return RawJson.adopt(owned);
  }

  /**
   * The value's range by {@link EnvelopeScanner}, or null when it gives up (bad input, a null, nesting near the
   * limit): then Jackson reads it and explains. Building payloads is the SDK's per-message cost.
   */
  private int[] fastRange(byte[] utf8) {
    int start = EnvelopeScanner.skipWhitespace(utf8, 0, utf8.length);
    if (start >= utf8.length || utf8[start] == 'n') {
      return null;
    }
    int end = EnvelopeScanner.value(utf8, start, utf8.length, limits.maxDepth() - 2, true);
    if (end < 0 || EnvelopeScanner.skipWhitespace(utf8, end, utf8.length) != utf8.length) {
      return null;
    }
    return new int[] {start, end};
  }

  private int[] jacksonRange(byte[] utf8) {
    try (JsonParser p = json.createParser(utf8)) {
      try {
        return valueRange(p, utf8);
      } catch (JsonProcessingException e) {
        // Inside the try: closing the parser moves its position to the end of the input.
        String what = JsonSupport.isTooDeep(e)
            ? "nests deeper than " + (limits.maxDepth() - 1) + " levels"
            : JsonSupport.describe(e);
        throw new IllegalArgumentException(
            "not valid JSON: " + what + " (at byte " + JsonSupport.byteOffset(e, p) + ")", e);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
    }
  }

  /** Start and end offsets of the one value in the input, refusing anything after it. */
  private static int[] valueRange(JsonParser p, byte[] input) throws IOException {
    JsonToken first = p.nextToken();
    if (first == null) {
      throw new IllegalArgumentException("no JSON value");
    }
    if (first == JsonToken.VALUE_NULL) {
      throw new IllegalArgumentException("null cannot be a payload: in a frame, null means the field is absent");
    }
    int start = (int) p.currentTokenLocation().getByteOffset();
    if (first.isStructStart()) {
      p.skipChildren();
    } else {
      p.finishToken();
    }
    int end = (int) p.currentLocation().getByteOffset();
    // A number at the root ends only at the next byte, which Jackson consumes when it is whitespace.
    while (end > start && isWhitespace(input[end - 1])) {
      end--;
    }
    if (p.nextToken() != null) {
      throw new IllegalArgumentException(
          "more than one JSON value (trailing data at byte " + p.currentTokenLocation().getByteOffset() + ")");
    }
    return new int[] {start, end};
  }

  private static boolean isWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}

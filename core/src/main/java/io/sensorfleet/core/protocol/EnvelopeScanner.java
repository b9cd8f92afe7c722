package io.sensorfleet.core.protocol;

import com.fasterxml.jackson.core.JsonToken;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The decoder's fast path: a hand-written strict JSON scanner that reads a frame's top-level fields into an
 * {@link Envelope} and checks nested values (payloads) for syntax and depth without building anything.
 *
 * <p>It only ever <em>accepts</em>: on anything unusual — any syntax error, a duplicate field, an escape or a
 * non-ASCII character in a field name, an escape in a top-level string, nesting near the limit — it answers
 * {@code false} and {@link FrameDecoder} reads the line again with Jackson, which names the problem exactly as
 * before. So the rejections (codes, messages, echoed ids) are Jackson's, and this class must never accept a line
 * Jackson would refuse, nor read one differently: {@code EnvelopeScannerTest} compares both on every kind of input.
 *
 * <p>Why: Jackson's parser, built per line, was ≈ 40 % of the bus's CPU for small frames (docs/benchmarks.md), most
 * of it per-parser setup and token bookkeeping for payloads that are only skipped.
 *
 * <p>It also does {@link Utf8Scan}'s job for the lines it accepts, in the same pass (the separate pass over every
 * line was a tenth of the decoder's time): outside strings only ASCII JSON grammar passes, so a NUL, a BOM, a
 * non-ASCII byte or (in a frame, see {@code lineFeeds}) a line feed there fails the scan; inside strings raw
 * control characters (NUL and line feed among them) fail, and every non-ASCII byte must start a well-formed UTF-8
 * sequence ({@link Utf8Scan#sequenceLength}). A line with any such problem is given up, and the caller runs
 * {@link Utf8Scan} and Jackson over it, which refuse it exactly as before.
 */
final class EnvelopeScanner {

  private static final int FAIL = -1;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5c5c5c5c5c5c5c5cL;
  private static final long SPACES = 0x2020202020202020L;

  /** Bytes that end the plain run of a string: '"', '\\' and the control characters JSON forbids raw. */
  private static final boolean[] STRING_STOP = new boolean[256];

  static {
    for (int c = 0; c < 0x20; c++) {
      STRING_STOP[c] = true;
    }
    STRING_STOP['"'] = true;
    STRING_STOP['\\'] = true;
  }

  private EnvelopeScanner() {}

  /**
   * Reads {@code [offset, offset + length)} of {@code line} into {@code envelope}. True when the line is one
   * well-formed object whose fields are now all in the envelope; false when Jackson must read it (the envelope is
   * then in an unspecified state and must be dropped).
   *
   * @param maxDepth the frame limit: nesting levels including the frame's own object
   */
  static boolean read(Envelope envelope, byte[] line, int offset, int length, int maxDepth) {
    int end = offset + length;
    int i = skipWhitespace(line, offset, end, false);
    if (i >= end || line[i] != '{') {
      return false;
    }
    i = skipWhitespace(line, i + 1, end, false);
    if (i >= end) {
      return false;
    }
    if (line[i] == '}') {
      i++;
    } else {
      while (true) {
        if (line[i] != '"') {
          return false;
        }
        int nameEnd = plainAsciiName(line, i + 1, end);
        if (nameEnd == FAIL) {
          return false;
        }
        String name = name(line, i + 1, nameEnd);
        i = skipWhitespace(line, nameEnd + 1, end, false);
        if (i >= end || line[i] != ':') {
          return false;
        }
        int start = skipWhitespace(line, i + 1, end, false);
        if (start >= end) {
          return false;
        }
        int valueEnd = value(line, start, end, maxDepth - 2, false);
        if (valueEnd == FAIL) {
          return false;
        }
        JsonToken token = token(line, start, valueEnd);
        String text = null;
        if (token == JsonToken.VALUE_STRING) {
          text = plainString(line, start + 1, valueEnd - 1);
          if (text == null) {
            return false;
          }
        } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
          text = new String(line, start, valueEnd - start, StandardCharsets.ISO_8859_1);
        }
        try {
          envelope.add(name, token, text, start - offset, valueEnd - offset);
        } catch (Rejection duplicate) {
          return false;  // Jackson reads the line again and names the duplicate field (one lookup per field, not two)
        }
        i = skipWhitespace(line, valueEnd, end, false);
        if (i >= end) {
          return false;
        }
        if (line[i] == '}') {
          i++;
          break;
        }
        if (line[i] != ',') {
          return false;
        }
        i = skipWhitespace(line, i + 1, end, false);
        if (i >= end) {
          return false;
        }
      }
    }
    envelope.closeRoot();
    return skipWhitespace(line, i, end, false) == end;
  }

  /**
   * The end of the JSON value starting at {@code i} (a non-whitespace byte), or {@link #FAIL}. Objects and arrays are
   * walked without recursion; a bit per level says which one is open. {@code maxNested} bounds the levels opened
   * here (at most 63, the bits of a long). {@code lineFeeds}: whether a line feed is whitespace (a standalone JSON
   * text) or fails the scan (a frame, which a line feed would split).
   */
  static int value(byte[] b, int i, int end, int maxNested, boolean lineFeeds) {
    int limit = Math.min(maxNested, 63);
    long objects = 0;  // bit d set: level d + 1 is an object
    int depth = 0;
    boolean expectKey = false;
    while (true) {
      if (i >= end) {
        return FAIL;
      }
      if (expectKey) {
        if (b[i] != '"') {
          return FAIL;
        }
        i = string(b, i, end);
        if (i == FAIL) {
          return FAIL;
        }
        i = skipWhitespace(b, i, end, lineFeeds);
        if (i >= end || b[i] != ':') {
          return FAIL;
        }
        i = skipWhitespace(b, i + 1, end, lineFeeds);
        expectKey = false;
        continue;
      }
      // A value at i.
      byte c = b[i];
      if (c == '{' || c == '[') {
        if (depth >= limit) {
          return FAIL;
        }
        boolean object = c == '{';
        objects = object ? objects | (1L << depth) : objects & ~(1L << depth);
        depth++;
        i = skipWhitespace(b, i + 1, end, lineFeeds);
        if (i >= end) {
          return FAIL;
        }
        if (b[i] == (object ? '}' : ']')) {
          depth--;
          i++;
        } else {
          expectKey = object;
          continue;
        }
      } else if (c == '"') {
        i = string(b, i, end);
      } else if (c == 't') {
        i = literal(b, i, end, "true");
      } else if (c == 'f') {
        i = literal(b, i, end, "false");
      } else if (c == 'n') {
        i = literal(b, i, end, "null");
      } else {
        i = number(b, i, end);
      }
      if (i == FAIL) {
        return FAIL;
      }
      // After a value: close levels, or a comma and the next element.
      while (true) {
        if (depth == 0) {
          return i;
        }
        i = skipWhitespace(b, i, end, lineFeeds);
        if (i >= end) {
          return FAIL;
        }
        boolean inObject = (objects & (1L << (depth - 1))) != 0;
        byte d = b[i];
        if (d == ',') {
          i = skipWhitespace(b, i + 1, end, lineFeeds);
          expectKey = inObject;
          break;
        }
        if (d != (inObject ? '}' : ']')) {
          return FAIL;
        }
        depth--;
        i++;
      }
    }
  }

  /** The end of the string whose opening quote is at {@code i} (after its closing quote), or {@link #FAIL}. */
  static int string(byte[] b, int i, int end) {
    i++;
    while (i < end) {
      // Eight plain ASCII bytes at a time (no '"', '\\', control character or non-ASCII byte: the "has a zero
      // byte" trick); a byte loop over strings was a third of the decoder's time. A false alarm only sends one byte
      // through the loop.
      while (i + Long.BYTES <= end) {
        long v = (long) LONGS.get(b, i);
        long quotes = v ^ QUOTES;
        long backslashes = v ^ BACKSLASHES;
        long stops = ((quotes - ONES) & ~quotes) | ((backslashes - ONES) & ~backslashes) | ((v - SPACES) & ~v) | v;
        if ((stops & HIGHS) != 0) {
          break;
        }
        i += Long.BYTES;
      }
      if (i >= end) {
        break;
      }
      int c = b[i] & 0xff;
      if (c >= 0x80) {
        int n = Utf8Scan.sequenceLength(b, i, end);  // well-formed UTF-8, or Utf8Scan and Jackson refuse the line
        if (n < 0) {
          return FAIL;
        }
        i += n;
      } else if (!STRING_STOP[c]) {
        i++;
      } else if (c == '"') {
        return i + 1;
      } else if (c == '\\') {
        if (i + 1 >= end) {
          return FAIL;
        }
        switch (b[i + 1]) {
          case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> i += 2;
          case 'u' -> {
            if (i + 6 > end) {
              return FAIL;
            }
            for (int k = i + 2; k < i + 6; k++) {
              if (Character.digit(b[k], 16) < 0) {
                return FAIL;
              }
            }
            i += 6;
          }
          default -> {
            return FAIL;
          }
        }
      } else {
        return FAIL;  // a raw control character
      }
    }
    return FAIL;
  }

  /**
   * The end of the number at {@code i}: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}, followed by a
   * byte that can follow a value, else {@link #FAIL}.
   */
  static int number(byte[] b, int i, int end) {
    if (i < end && b[i] == '-') {
      i++;
    }
    if (i >= end || !isDigit(b[i])) {
      return FAIL;
    }
    if (b[i] == '0') {
      i++;
    } else {
      while (i < end && isDigit(b[i])) {
        i++;
      }
    }
    if (i < end && b[i] == '.') {
      i = atLeastOneDigit(b, i + 1, end);
      if (i == FAIL) {
        return FAIL;
      }
    }
    if (i < end && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < end && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      i = atLeastOneDigit(b, i, end);
      if (i == FAIL) {
        return FAIL;
      }
    }
    return i < end && !endsValue(b[i]) ? FAIL : i;
  }

  /** The end of the run of digits at {@code i}, or {@link #FAIL} when there is none. */
  private static int atLeastOneDigit(byte[] b, int i, int end) {
    int start = i;
    while (i < end && isDigit(b[i])) {
      i++;
    }
    return i == start ? FAIL : i;
  }

  private static int literal(byte[] b, int i, int end, String word) {
    int n = word.length();
    if (i + n > end) {
      return FAIL;
    }
    for (int k = 0; k < n; k++) {
      if (b[i + k] != word.charAt(k)) {
        return FAIL;
      }
    }
    i += n;
    return i < end && !endsValue(b[i]) ? FAIL : i;
  }

  /** What may follow a scalar: whitespace or a structural character (Jackson refuses e.g. {@code truex}, {@code 1a}). */
  private static boolean endsValue(byte c) {
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private static JsonToken token(byte[] b, int start, int end) {
    return switch (b[start]) {
      case '{' -> JsonToken.START_OBJECT;
      case '[' -> JsonToken.START_ARRAY;
      case '"' -> JsonToken.VALUE_STRING;
      case 't' -> JsonToken.VALUE_TRUE;
      case 'f' -> JsonToken.VALUE_FALSE;
      case 'n' -> JsonToken.VALUE_NULL;
      default -> isInteger(b, start, end) ? JsonToken.VALUE_NUMBER_INT : JsonToken.VALUE_NUMBER_FLOAT;
    };
  }

  private static boolean isInteger(byte[] b, int start, int end) {
    for (int k = start; k < end; k++) {
      if (b[k] == '.' || b[k] == 'e' || b[k] == 'E') {
        return false;
      }
    }
    return true;
  }

  /** The closing quote of a name that is plain printable ASCII without escapes, else {@link #FAIL}. */
  private static int plainAsciiName(byte[] b, int i, int end) {
    for (; i < end; i++) {
      byte c = b[i];
      if (c == '"') {
        return i;
      }
      if (c < 0x20 || c == '\\') {  // bytes >= 0x80 are negative: non-ASCII, left to Jackson
        return FAIL;
      }
    }
    return FAIL;
  }

  /** The bus frames' field names without allocating; others as new strings. */
  private static String name(byte[] b, int start, int end) {
    int n = end - start;
    String known = switch (n) {
      case 2 -> b[start] == 'i' ? "id" : b[start] == 'r' ? "re" : "to";
      case 3 -> "ack";
      case 4 -> b[start] == 't' ? "type" : "from";
      case 5 -> "topic";
      case 7 -> "payload";
      case 8 -> "audience";
      case 11 -> "occurred_at";
      default -> null;
    };
    return known != null && matches(b, start, known) ? known : new String(b, start, n, StandardCharsets.ISO_8859_1);
  }

  private static boolean matches(byte[] b, int start, String s) {
    for (int k = 0; k < s.length(); k++) {
      if (b[start + k] != s.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** The text of a string's contents {@code [start, end)} when it has no escape, else null (Jackson decodes it). */
  private static String plainString(byte[] b, int start, int end) {
    boolean ascii = true;
    for (int k = start; k < end; k++) {
      byte c = b[k];
      if (c == '\\') {
        return null;
      }
      if (c < 0) {
        ascii = false;
      }
    }
    return new String(b, start, end - start, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  static int skipWhitespace(byte[] b, int i, int end) {
    return skipWhitespace(b, i, end, true);
  }

  /** The first byte at or after {@code i} that is not JSON whitespace; a line feed is one only if {@code lineFeeds}. */
  static int skipWhitespace(byte[] b, int i, int end, boolean lineFeeds) {
    while (i < end) {
      byte c = b[i];
      if (c != ' ' && c != '\t' && c != '\r' && (c != '\n' || !lineFeeds)) {
        return i;
      }
      i++;
    }
    return i;
  }
}

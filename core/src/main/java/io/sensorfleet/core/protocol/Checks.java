package io.sensorfleet.core.protocol;

import java.util.regex.Pattern;

/**
 * Field rules shared by the frame records (which refuse invalid values, so no invalid frame can be built or
 * encoded) and the decoder (which reports the same rules as {@code invalid-field}). Each check names the wire field.
 */
final class Checks {

  /** Largest integer every JSON parser reads exactly (2^53 - 1, JavaScript's MAX_SAFE_INTEGER). */
  static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
  /** Longest free text (message, reason, detail, notes), in UTF-16 code units. */
  static final int MAX_TEXT = 4096;
  static final int MAX_CORRELATION_ID = 64;

  private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._+:~-]{1,64}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern ERROR_CODE = Pattern.compile("[a-z][a-z0-9-]{0,63}");

  private Checks() {}

  static boolean isCorrelationId(String value) {
    return value != null && value.length() <= MAX_CORRELATION_ID && CORRELATION_ID.matcher(value).matches();
  }

  static String correlationId(String field, String value) {
    present(field, value);
    if (!isCorrelationId(value)) {
      throw new InvalidFieldException(field, "field '" + field + "' must be 1 to 64 characters of A-Z, a-z, 0-9, "
          + "'.', '_', ':' or '-', got '" + printable(value) + "'");
    }
    return value;
  }

  static <T> T present(String field, T value) {
    if (value == null) {
      throw new InvalidFieldException(field, "field '" + field + "' is missing");
    }
    return value;
  }

  /** Free text: any Unicode, but no unpaired surrogates (they have no UTF-8 form) and bounded. */
  static String text(String field, String value) {
    present(field, value);
    if (value.length() > MAX_TEXT) {
      throw new InvalidFieldException(field,
          "field '" + field + "' is longer than " + MAX_TEXT + " characters (" + value.length() + ")");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidFieldException(field,
            "field '" + field + "' contains an unpaired surrogate \\u" + Integer.toHexString(c) + " at " + i);
      }
    }
    return value;
  }

  /** Printable ASCII without surrounding blanks, for short labels such as a software version string. */
  static String label(String field, String value, int maxLength) {
    present(field, value);
    boolean ok = !value.isEmpty() && value.length() <= maxLength
        && value.charAt(0) != ' ' && value.charAt(value.length() - 1) != ' ';
    for (int i = 0; ok && i < value.length(); i++) {
      char c = value.charAt(i);
      ok = c >= 0x20 && c < 0x7f;
    }
    if (!ok) {
      throw new InvalidFieldException(field, "field '" + field + "' must be 1 to " + maxLength
          + " printable ASCII characters, not starting or ending with a space, got '" + printable(value) + "'");
    }
    return value;
  }

  static String name(String field, String value) {
    return matching(field, value, NAME, "1 to 64 characters of a-z, 0-9, '.', '_' or '-', starting with a-z or 0-9");
  }

  static String version(String field, String value) {
    return matching(field, value, VERSION, "1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '+', ':', '~' or '-'");
  }

  static String sha256(String field, String value) {
    return matching(field, value, SHA256, "64 lower-case hex digits");
  }

  static String errorCode(String field, String value) {
    return matching(field, value, ERROR_CODE, "1 to 64 characters of a-z, 0-9 or '-', starting with a-z");
  }

  /** An absolute path in the container or an http(s) URL; no blanks or control characters. */
  static String location(String field, String value) {
    present(field, value);
    boolean ok = (value.startsWith("/") || value.startsWith("https://") || value.startsWith("http://"))
        && value.length() <= MAX_TEXT;
    for (int i = 0; ok && i < value.length(); i++) {
      char c = value.charAt(i);
      ok = c > 0x20 && c != 0x7f && !Character.isSurrogate(c) && !Character.isWhitespace(c);
    }
    if (!ok) {
      throw new InvalidFieldException(field, "field '" + field + "' must be an absolute path or an http(s) URL "
          + "without blanks, at most " + MAX_TEXT + " characters, got '" + printable(value) + "'");
    }
    return value;
  }

  static long count(String field, long value) {
    if (value < 0 || value > MAX_SAFE_INTEGER) {
      throw new InvalidFieldException(field,
          "field '" + field + "' must be an integer from 0 to " + MAX_SAFE_INTEGER + ", got " + value);
    }
    return value;
  }

  static long positive(String field, long value) {
    if (value < 1 || value > MAX_SAFE_INTEGER) {
      throw new InvalidFieldException(field,
          "field '" + field + "' must be an integer from 1 to " + MAX_SAFE_INTEGER + ", got " + value);
    }
    return value;
  }

  private static String matching(String field, String value, Pattern pattern, String rule) {
    present(field, value);
    if (value.length() > 64 || !pattern.matcher(value).matches()) {
      throw new InvalidFieldException(field, "field '" + field + "' must be " + rule + ", got '" + printable(value)
          + "'");
    }
    return value;
  }

  /**
   * {@code s} made safe to put in an error message or a log line: anything outside printable ASCII escaped, so a
   * hostile peer cannot inject lines or terminal escapes through our messages, and cut to about {@code max}
   * characters after escaping, so messages stay short whatever the input.
   */
  static String printable(String s, int max) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(s.length(), max) + 8);
    for (int i = 0; i < s.length(); i++) {
      if (out.length() >= max) {
        return out.append("...").toString();
      }
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }

  /** {@link #printable(String, int)} for a value quoted in a message: about 40 characters. */
  static String printable(String s) {
    return printable(s, 40);
  }
}

package io.sensorfleet.core.manifest;

/** Quoting of untrusted values inside error messages, so a manifest cannot forge log lines. */
final class Text {

  private Text() {}

  /** {@code value} in single quotes, cut to 40 characters, with control characters escaped. */
  static String quoted(String value) {
    if (value == null) {
      return "null";
    }
    return "'" + escaped(value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'";
  }

  /** {@code value} with control characters and line separators escaped as Java unicode escapes. */
  static String escaped(String value) {
    StringBuilder out = new StringBuilder();
    value.codePoints().forEach(c -> {
      if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }

  /** True when every character is printable ASCII (space to tilde). */
  static boolean isPrintableAscii(String value) {
    return value.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
  }
}

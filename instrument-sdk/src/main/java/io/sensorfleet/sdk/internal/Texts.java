package io.sensorfleet.sdk.internal;

import java.nio.charset.StandardCharsets;

/** Text made safe for the protocol's free-text fields and for log lines. */
public final class Texts {

  /** The protocol's limit for {@code reason}, {@code detail}, {@code notes}, {@code message}. */
  public static final int MAX_TEXT = 4096;

  private Texts() {}

  /**
   * {@code s} as a valid free-text field: unpaired surrogates (which have no UTF-8 form) replaced by U+FFFD and cut
   * to {@link #MAX_TEXT} UTF-16 units without splitting a pair, so an app's long or odd message never makes the SDK
   * fail to answer.
   */
  public static String fit(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_TEXT));
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        if (out.length() + 2 > MAX_TEXT) {
          break;
        }
        out.append(c).append(s.charAt(++i));
      } else {
        if (out.length() + 1 > MAX_TEXT) {
          break;
        }
        out.append(Character.isSurrogate(c) ? '\ufffd' : c);
      }
    }
    return out.toString();
  }

  /**
   * {@code s}, which may come from the peer, as one short printable line: anything outside printable ASCII escaped so
   * a broken or hostile peer cannot forge log lines or send terminal escapes, and cut to about 200 characters.
   */
  public static String forLog(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(s.length(), 210));
    for (int i = 0; i < s.length(); i++) {
      if (out.length() >= 200) {
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

  /** The start of a line from the peer, for a log line about it. */
  public static String forLog(byte[] line) {
    int n = Math.min(line.length, 120);
    String head = forLog(new String(line, 0, n, StandardCharsets.UTF_8));
    return line.length > n ? head + "...(" + line.length + " bytes)" : head;
  }

  /** An exception as {@code Type: message}, for a reason or detail sent to the platform. */
  public static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }
}

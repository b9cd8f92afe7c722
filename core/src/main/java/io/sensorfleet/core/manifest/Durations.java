package io.sensorfleet.core.manifest;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as manifests write them: a whole number and one unit ({@code 500ms}, {@code 10s}, {@code 90m},
 * {@code 12h}, {@code 30d}), or ISO-8601 ({@code P30D}, {@code PT1H30M}). No months or years: their length
 * varies. Negative durations are rejected here; each field sets its own range.
 */
public final class Durations {

  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  private static final String HINT = "use a whole number and a unit (ms, s, m, h, d), e.g. 10s or 30d, or ISO-8601 like P30D";

  private Durations() {}

  /** Parses {@code 10s}, {@code 30d}, {@code PT10S}, ...; throws {@link IllegalArgumentException}. */
  public static Duration parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("a duration is missing: " + HINT);
    }
    Matcher m = SHORT.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> throw new IllegalStateException("unit allowed by the pattern but not handled: " + m.group(2));
      };
    }
    if (text.startsWith("P") && text.length() <= 40) {
      try {
        Duration d = Duration.parse(text);
        if (d.isNegative()) {
          throw new IllegalArgumentException(Text.quoted(text) + " is negative");
        }
        return d;
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(Text.quoted(text) + " is not an ISO-8601 duration: " + HINT);
      }
    }
    throw new IllegalArgumentException(Text.quoted(text) + " is not a duration: " + HINT);
  }

  /** The shortest exact short form: {@code 30d}, {@code 90m}, {@code 1500ms}. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (!Duration.ofMillis(millis).equals(duration)) {
      return duration.toString();
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (millis != 0 && millis % sizes[i] == 0) {
        return millis / sizes[i] + units[i];
      }
    }
    return millis + "ms";
  }
}

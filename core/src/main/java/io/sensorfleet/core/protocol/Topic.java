package io.sensorfleet.core.protocol;

import java.util.regex.Pattern;

/**
 * The name of a publish/subscribe topic, e.g. {@code dns.queries} or {@code alerts.ids}.
 *
 * <p>Validated once here because topics become routing keys, permission-rule keys and metric labels: 1 to 64
 * characters, dot-separated segments of lower-case letters, digits, {@code _} and {@code -}, each segment starting
 * with a letter or digit. No wildcards: a later version may allow them in {@code subscribe} only, which is easier if
 * plain topics never contain them.
 */
public record Topic(String value) implements Comparable<Topic> {

  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9_-]*(?:\\.[a-z0-9][a-z0-9_-]*)*");
  private static final int MAX_LENGTH = 64;

  public Topic {
    if (!isValid(value)) {
      throw new InvalidFieldException("topic", value == null
          ? "topic is missing"
          : "invalid topic '" + Checks.printable(value) + "': use 1 to 64 characters, dot-separated segments of "
              + "a-z, 0-9, '_' or '-', each starting with a letter or digit");
    }
  }

  public static Topic of(String value) {
    return new Topic(value);
  }

  /** True when {@code value} would be accepted, without building a topic. */
  public static boolean isValid(String value) {
    return value != null && !value.isEmpty() && value.length() <= MAX_LENGTH && VALID.matcher(value).matches();
  }

  @Override
  public String toString() {
    return value;
  }

  @Override
  public int compareTo(Topic other) {
    return value.compareTo(other.value);
  }
}

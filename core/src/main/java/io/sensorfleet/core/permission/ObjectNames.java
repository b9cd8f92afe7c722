package io.sensorfleet.core.permission;

import io.sensorfleet.core.protocol.Topic;

/**
 * The names a permission can be about, validated in one place so the policy, the manifest parser and the bus
 * protocol agree on them.
 *
 * <p>Topic and resource names are 1 to 64 characters of {@code [a-z0-9._-]} starting with a letter or digit,
 * and, like the wire protocol's {@code Topic}, made of dot-separated segments that each start with a letter or
 * digit (so no {@code ..} and no trailing dot). They end up in log lines, audit records and file names, so no
 * upper case, spaces, slashes or control characters.
 */
public final class ObjectNames {

  /** The rule for topic and resource names, for messages. */
  public static final String NAME_RULE =
      "1 to 64 characters: dot-separated segments of a-z, 0-9, '_' or '-', each starting with a letter or digit";
  public static final int MAX_NAME_LENGTH = 64;
  /** The wildcard object an operator's grant may use for topics and resources (never for {@code send}). */
  public static final String WILDCARD = "*";

  private ObjectNames() {}

  /** True when {@code name} is a well-formed topic name. */
  public static boolean isTopic(String name) {
    return Topic.isValid(name);
  }

  /** True when {@code name} is a well-formed resource name (same rule as topics). */
  public static boolean isResource(String name) {
    return isTopic(name);
  }

  /** {@code value} quoted for an error message: cut short and with control characters escaped. */
  static String quoted(String value) {
    if (value == null) {
      return "null";
    }
    String cut = value.length() > 40 ? value.substring(0, 40) + "..." : value;
    StringBuilder out = new StringBuilder("'");
    cut.codePoints().forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.append('\'').toString();
  }
}

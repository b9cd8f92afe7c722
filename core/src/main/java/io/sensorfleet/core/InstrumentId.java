package io.sensorfleet.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The name of one installed Instrument, e.g. {@code passive-dns}.
 *
 * <p>It becomes part of LXD container and volume names, socket directories and host interface names, which
 * LXD and Linux restrict, so it is validated once here: a lower-case letter, then up to 30 lower-case letters,
 * digits or dashes, ending in a letter or digit (2 to 32 characters). Names with a hard length limit (a host
 * interface name has at most 15 bytes) are derived from a short stable hash instead of the id itself.
 */
public record InstrumentId(String value) implements Comparable<InstrumentId> {

  private static final int MIN_LENGTH = 2;
  private static final int MAX_LENGTH = 32;
  /** Prefix of every LXD object the sensor owns, so it finds its own after a restart. */
  public static final String LXD_PREFIX = "sf-";

  public InstrumentId {
    if (value == null) {
      throw new IllegalArgumentException("instrument id is missing");
    }
    if (!wellFormed(value)) {
      throw new IllegalArgumentException(
          "invalid instrument id '" + printable(value) + "': use 2 to 32 characters, a lower-case letter first, "
              + "then lower-case letters, digits or '-', ending in a letter or digit");
    }
    if (value.contains("--")) {
      throw new IllegalArgumentException("invalid instrument id '" + value + "': '--' is reserved as a separator");
    }
  }

  // DELEGATING: Pekko's mapper registers the parameter-names module, which would otherwise read this creator as
  // a properties-based one and fail to read "ids" back from the journal.
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static InstrumentId of(String value) {
    return new InstrumentId(value);
  }

  /** True when {@code value} would be accepted, without building an id. */
  public static boolean isValid(String value) {
    return value != null && wellFormed(value) && !value.contains("--");
  }

  /**
   * {@code [a-z][a-z0-9-]{0,30}[a-z0-9]}, checked by hand: ids are validated on every bus frame that names one, and
   * a regex matcher there cost an eighth of the bus's CPU (docs/benchmarks.md).
   */
  private static boolean wellFormed(String value) {
    int length = value.length();
    if (length < MIN_LENGTH || length > MAX_LENGTH || !isLowerLetter(value.charAt(0))) {
      return false;
    }
    for (int i = 1; i < length - 1; i++) {
      char c = value.charAt(i);
      if (!isLowerLetter(c) && !isDigit(c) && c != '-') {
        return false;
      }
    }
    char last = value.charAt(length - 1);
    return isLowerLetter(last) || isDigit(last);
  }

  private static boolean isLowerLetter(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** LXD instance name: {@code sf-<id>} (LXD allows 63 characters; ours stay under 36). */
  public String containerName() {
    return LXD_PREFIX + value;
  }

  /** LXD custom volume name for one of this Instrument's volumes, e.g. {@code sf-ids--persistent}. */
  public String volumeName(String purpose) {
    return LXD_PREFIX + value + "--" + purpose;
  }

  /**
   * A host network interface name for this Instrument: {@code prefix} (at most 6 characters) followed by
   * eight hex digits of a SHA-256 of the id, so it fits Linux's 15-byte IFNAMSIZ whatever the id's length
   * and stays the same across restarts.
   */
  public String hostInterfaceName(String prefix) {
    if (prefix.length() > 6 || !prefix.matches("[a-z][a-z0-9-]*")) {
      throw new IllegalArgumentException("interface prefix must be 1 to 6 lower-case characters: " + prefix);
    }
    return prefix + shortHash();
  }

  /** Eight hex digits of SHA-256(id): stable and short, for names with a hard length limit. */
  public String shortHash() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }

  @Override
  public int compareTo(InstrumentId other) {
    return value.compareTo(other.value);
  }

  private static String printable(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    StringBuilder out = new StringBuilder();
    cut.codePoints().forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }
}

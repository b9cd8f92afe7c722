package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of bytes, as manifests write it: {@code 512MiB}, {@code 2GiB}, {@code 100MB} or plain bytes
 * ({@code 1048576}). Binary units ({@code KiB MiB GiB TiB}) are powers of 1024, decimal ones
 * ({@code KB MB GB TB}) powers of 1000, as in LXD. Units are case-sensitive and numbers whole, so
 * {@code 1.5GiB} or {@code 10mb} are errors rather than guesses. At most {@link #MAX} (16 TiB): anything
 * bigger is a typo on a sensor.
 */
public record ByteSize(long bytes) implements Comparable<ByteSize> {

  private static final long KIB = 1024L;
  private static final long MIB = KIB * 1024;
  private static final long GIB = MIB * 1024;
  private static final long TIB = GIB * 1024;

  public static final ByteSize ZERO = new ByteSize(0);
  /** The largest size any manifest may state. */
  public static final ByteSize MAX = new ByteSize(16 * TIB);

  private static final Pattern FORM = Pattern.compile("(\\d{1,30}) ?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?");
  private static final String HINT = "use a whole number and a unit, e.g. 512MiB, 2GiB, 100MB, or plain bytes";

  public ByteSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("a size cannot be negative: " + bytes);
    }
    if (bytes > 16 * TIB) {
      throw new IllegalArgumentException("a size cannot exceed 16TiB, got " + bytes + " bytes");
    }
  }

  public static ByteSize ofBytes(long bytes) {
    return new ByteSize(bytes);
  }

  public static ByteSize ofMebibytes(long mebibytes) {
    return new ByteSize(Math.multiplyExact(mebibytes, MIB));
  }

  public static ByteSize ofGibibytes(long gibibytes) {
    return new ByteSize(Math.multiplyExact(gibibytes, GIB));
  }

  /** Parses {@code 512MiB}, {@code 100MB}, {@code 1048576}, ...; throws {@link IllegalArgumentException}. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)  // see InstrumentId: Pekko's parameter-names module
  public static ByteSize parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("a size is missing: " + HINT);
    }
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(Text.quoted(text) + " is not a size: " + HINT);
    }
    try {
      long number = Long.parseLong(m.group(1));
      return new ByteSize(Math.multiplyExact(number, multiplier(m.group(2))));
    } catch (ArithmeticException | IllegalArgumentException e) {
      // Overflow of the number, of the product, or above MAX: all mean "too big".
      throw new IllegalArgumentException(Text.quoted(text) + " is larger than the maximum 16TiB");
    }
  }

  private static long multiplier(String unit) {
    return switch (unit == null ? "B" : unit) {
      case "B" -> 1;
      case "KB" -> 1_000L;
      case "MB" -> 1_000_000L;
      case "GB" -> 1_000_000_000L;
      case "TB" -> 1_000_000_000_000L;
      case "KiB" -> KIB;
      case "MiB" -> MIB;
      case "GiB" -> GIB;
      case "TiB" -> TIB;
      default -> throw new IllegalStateException("unit allowed by the pattern but not handled: " + unit);
    };
  }

  public boolean isZero() {
    return bytes == 0;
  }

  /** The shortest exact spelling, binary units first: {@code 256MiB}, {@code 100MB}, {@code 1000B}; LXD reads it too. */
  @JsonValue
  @Override
  public String toString() {
    if (bytes == 0) {
      return "0B";
    }
    long[] sizes = {TIB, GIB, MIB, KIB, 1_000_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
    String[] units = {"TiB", "GiB", "MiB", "KiB", "TB", "GB", "MB", "KB"};
    for (int i = 0; i < sizes.length; i++) {
      if (bytes % sizes[i] == 0) {
        return bytes / sizes[i] + units[i];
      }
    }
    return bytes + "B";
  }

  @Override
  public int compareTo(ByteSize other) {
    return Long.compare(bytes, other.bytes);
  }
}

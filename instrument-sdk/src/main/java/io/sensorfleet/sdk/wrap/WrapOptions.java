package io.sensorfleet.sdk.wrap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@link Wrap}: {@code [--heartbeat 30s] [--data-dir DIR] [--stop-grace 10s] -- COMMAND [ARG...]}.
 *
 * @param heartbeat the longest silence of the program still counted as healthy
 * @param dataDir if given, retention requests sweep it with {@link io.sensorfleet.sdk.RetentionSweeper}; if not,
 *     they are answered "nothing deleted"
 * @param stopGrace how long the program gets to stop after SIGTERM before it is killed, and how long the exit report
 *     waits for a connection
 * @param command the program and its arguments
 */
public record WrapOptions(Duration heartbeat, Optional<Path> dataDir, Duration stopGrace, List<String> command) {

  public static final String USAGE =
      "usage: Wrap [--heartbeat 30s] [--data-dir DIR] [--stop-grace 10s] -- COMMAND [ARG...]";

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

  public WrapOptions {
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(stopGrace, "stopGrace");
    command = List.copyOf(command);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no command to run; " + USAGE);
    }
  }

  /**
   * Reads the arguments.
   *
   * @throws IllegalArgumentException naming the problem, with the usage
   */
  public static WrapOptions parse(String... args) {
    Duration heartbeat = Duration.ofSeconds(30);
    Optional<Path> dataDir = Optional.empty();
    Duration stopGrace = Duration.ofSeconds(10);
    int i = 0;
    while (i < args.length && !args[i].equals("--")) {
      String option = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(option + " needs a value; " + USAGE);
      }
      String value = args[i + 1];
      switch (option) {
        case "--heartbeat" -> heartbeat = duration(option, value);
        case "--data-dir" -> dataDir = Optional.of(Path.of(value));
        case "--stop-grace" -> stopGrace = duration(option, value);
        default -> throw new IllegalArgumentException("unknown option " + option + "; " + USAGE);
      }
      i += 2;
    }
    if (i >= args.length) {
      throw new IllegalArgumentException("missing '--' before the command; " + USAGE);
    }
    return new WrapOptions(heartbeat, dataDir, stopGrace, new ArrayList<>(List.of(args).subList(i + 1, args.length)));
  }

  /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a number of seconds; positive. */
  static Duration duration(String option, String value) {
    Matcher m = DURATION.matcher(value);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException(option + " must be a positive duration such as 30s, 500ms or 2m, got '"
          + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }
}

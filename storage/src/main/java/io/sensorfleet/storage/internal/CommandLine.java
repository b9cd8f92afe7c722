package io.sensorfleet.storage.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A host command: its argument vector (no shell), bytes for its standard input (a secret, never shown), and
 * optionally a file that receives its standard error and keeps it (a daemon that forks off writes there later).
 */
public record CommandLine(List<String> argv, byte[] stdin, Optional<Path> stderrLog) {

  public CommandLine {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    stdin = stdin.clone();
  }

  public static CommandLine of(String... argv) {
    return new CommandLine(List.of(argv), new byte[0], Optional.empty());
  }

  public CommandLine withStdin(byte[] input) {
    return new CommandLine(argv, input, stderrLog);
  }

  public CommandLine withStderrLog(Path log) {
    return new CommandLine(argv, stdin, Optional.of(log));
  }

  /** The tool's name, for messages. */
  public String tool() {
    return Path.of(argv.getFirst()).getFileName().toString();
  }

  /** The command as a shell would show it; the standard input is left out, as it carries keys. */
  public String display() {
    return String.join(" ", argv);
  }

  @Override
  public String toString() {
    return display() + (stdin.length > 0 ? " <" + stdin.length + " bytes on stdin>" : "");
  }
}

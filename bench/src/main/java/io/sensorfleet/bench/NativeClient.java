package io.sensorfleet.bench;

import io.sensorfleet.bench.MessagingBench.Latency;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench/clients/paced.c}, built by {@code bench/messaging.sh}: {@link MessagingBench}'s paced sender and
 * receiver without a JVM. This JVM's clients share the VM's two cores with the path they measure, and their threads,
 * compiler and collections add a tail of their own to every path's; the C client has none of them, so what is left
 * of a tail is the path's. It runs once per paced rate, on connections of its own, and prints the percentiles.
 * {@code -Dbench.native-client=PATH} names the binary ({@code bench/target/paced}); {@code -Dbench.native-client=}
 * (empty) skips its table.
 */
final class NativeClient {

  private static final String BINARY = System.getProperty("bench.native-client", "bench/target/paced");

  /** What the client connects to: its arguments before the size, the server's pid (for its CPU), and its end. */
  record Endpoint(List<String> args, long serverPid, AutoCloseable onClose) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      onClose.close();
    }
  }

  @FunctionalInterface
  interface Opener {
    Endpoint open() throws Exception;
  }

  private NativeClient() {}

  /** Whether the table runs: a binary is named and exists. */
  static boolean enabled() {
    return !BINARY.isEmpty() && Files.isExecutable(Path.of(BINARY));
  }

  /**
   * One paced rate through {@code opener}'s endpoint: {@code warmUpSeconds} unrecorded, then {@code seconds}
   * recorded. Prints the cores the client and the server kept busy, as the JVM clients' paced runs do.
   */
  static Latency paced(Opener opener, int size, double rate, double warmUpSeconds, int seconds) throws Exception {
    try (Endpoint endpoint = opener.open()) {
      List<String> command = new ArrayList<>();
      command.add(BINARY);
      command.addAll(endpoint.args());
      command.addAll(List.of(Integer.toString(size), Long.toString(Math.round(rate)), Double.toString(warmUpSeconds),
          Integer.toString(seconds)));
      long server0 = MessagingBench.processCpuNanos(endpoint.serverPid());
      long t0 = System.nanoTime();
      Process client = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String line;
      try (var out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
        line = out.readLine();
      }
      if (client.waitFor() != 0 || line == null) {
        throw new IOException("the C client failed (exit " + client.exitValue() + "): " + String.join(" ", command));
      }
      double wall = System.nanoTime() - t0;
      String[] f = line.trim().split(" ");
      System.err.printf("  paced %,.0f msgs/s, C client: cores busy, client %s (recorded part), server %.2f (whole"
          + " run)%n", rate, f[3], (MessagingBench.processCpuNanos(endpoint.serverPid()) - server0) / wall);
      return new Latency(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
    }
  }
}

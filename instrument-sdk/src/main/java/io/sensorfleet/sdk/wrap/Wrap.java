package io.sensorfleet.sdk.wrap;

import io.sensorfleet.sdk.ClientState;
import io.sensorfleet.sdk.InstrumentClient;
import io.sensorfleet.sdk.RetentionResult;
import io.sensorfleet.sdk.RetentionSweeper;
import io.sensorfleet.sdk.internal.Texts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Makes an Instrument of a program that cannot link the SDK (a shell script, a C tool): runs it, forwards its
 * standard output to ours, and answers the platform for it, judging its health by {@link ProcessLiveness}. Ends when
 * the program ends, after reporting {@code exited with code X}, with the program's exit code; stops the program
 * (SIGTERM, then SIGKILL after the grace period) when the platform says {@code bye}.
 *
 * <pre>{@code
 * java -cp sensorfleet-wrap.jar io.sensorfleet.sdk.wrap.Wrap --heartbeat 30s -- /usr/bin/some-tool args
 * }</pre>
 *
 * <p>Standard error is inherited; standard input is closed. Connection settings come from the environment as for
 * any Instrument ({@code SENSORFLEET_INSTRUMENT}, {@code SENSORFLEET_BUS}).
 */
public final class Wrap {

  private static final System.Logger LOG = System.getLogger("io.sensorfleet.sdk.wrap");

  private final WrapOptions options;
  private final Clock clock;
  private final OutputStream out;
  private volatile Process process;
  /** The platform said bye: the program's exit is our doing, not news to report. */
  private volatile boolean stopping;

  private Wrap(WrapOptions options, Clock clock, OutputStream out) {
    this.options = options;
    this.clock = clock;
    this.out = out;
  }

  public static void main(String[] args) {
    WrapOptions options;
    try {
      options = WrapOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Wrap wrap = new Wrap(options, Clock.systemUTC(), System.out);
    // SIGTERM to us (the container stopping) must not leave the program running.
    Runtime.getRuntime().addShutdownHook(new Thread(wrap::stop, "wrap-stop"));
    int code;
    try {
      code = wrap.run(InstrumentClient.builder());
    } catch (IOException e) {
      System.err.println("cannot run " + options.command().getFirst() + ": " + e.getMessage());
      code = 127;
    } catch (InterruptedException e) {
      code = 130;
    }
    System.exit(code);
  }

  /**
   * Runs {@code options.command()} until it exits, answering the platform through a client made from
   * {@code builder} (whose health, retention, shutdown and state callbacks are replaced), and returns its exit code.
   *
   * @param clock for the liveness judgement; tests pass one they move
   * @param out where the program's standard output goes
   * @throws IOException if the program cannot be started
   */
  public static int run(WrapOptions options, InstrumentClient.Builder builder, Clock clock, OutputStream out)
      throws IOException, InterruptedException {
    return new Wrap(options, clock, out).run(builder);
  }

  private int run(InstrumentClient.Builder builder) throws IOException, InterruptedException {
    ProcessLiveness liveness = new ProcessLiveness(clock, options.heartbeat());
    CountDownLatch ready = new CountDownLatch(1);
    InstrumentClient client = builder
        .software("wrap/" + softwareName(options.command().getFirst()))
        .onHealthQuery(liveness::health)
        .onRetention(this::retention)
        .onShutdown(reason -> {
          stopping = true;
          stop();
        })
        .onStateChange(state -> {
          if (state == ClientState.READY) {
            ready.countDown();
          }
        })
        .build();
    try {
      Process started = new ProcessBuilder(options.command()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      process = started;
      started.getOutputStream().close();
      Thread pump = Thread.ofVirtual().name("wrap-stdout").start(() -> pump(started.getInputStream(), liveness));
      int code = started.waitFor();
      // A grandchild may hold the pipe open after the program ended: do not wait for it for ever.
      pump.join(options.stopGrace());
      liveness.exited(code);
      LOG.log(Level.INFO, () -> options.command().getFirst() + " exited with code " + code);
      if (!stopping && client.state() != ClientState.CLOSED
          && ready.await(options.stopGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        client.reportHealth(liveness.health());
      }
      return code;
    } finally {
      client.close();
      stop();
    }
  }

  private RetentionResult retention(Instant cutoff) {
    return options.dataDir()
        .map(dir -> RetentionSweeper.deleteOlderThan(dir, cutoff))
        .orElseGet(() -> RetentionResult.nothingDeleted("no --data-dir: the wrapper manages no data, nothing deleted"));
  }

  /** Copies the program's output to ours as it comes, counting lines; keeps draining even if ours is closed. */
  private void pump(InputStream in, ProcessLiveness liveness) {
    byte[] buffer = new byte[8192];
    boolean forwarding = true;
    try (in) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        // Liveness first: once a line shows on our output, it has been counted.
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            liveness.lineSeen();
          }
        }
        if (forwarding) {
          try {
            out.write(buffer, 0, n);
            out.flush();
          } catch (IOException e) {
            forwarding = false;
          }
        }
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> "reading the program's output: " + Texts.describe(e));
    }
  }

  /** SIGTERM to the program and its children, SIGKILL after the grace period; returns once it is gone. */
  private void stop() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    LOG.log(Level.INFO, () -> "stopping " + options.command().getFirst());
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(options.stopGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(options.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The program's file name as a {@code software} label: printable ASCII, no blanks. */
  static String softwareName(String command) {
    Path name;
    try {
      name = Path.of(command).getFileName();
    } catch (InvalidPathException e) {
      name = null;
    }
    String cleaned = (name == null ? command : name.toString()).replaceAll("[^A-Za-z0-9._+-]", "_");
    return cleaned.isEmpty() ? "program" : cleaned.substring(0, Math.min(cleaned.length(), 64));
  }
}

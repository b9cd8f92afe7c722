package io.sensorfleet.network;

import io.sensorfleet.core.network.NetworkException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs host commands ({@code ip}, {@code nft}) and waits for them: blocking, so the provisioner calls it on its
 * executor. A command that exits non-zero is returned as it is; one that cannot be started or does not finish in
 * time fails with {@link NetworkException.HostCommandFailed}.
 */
public interface HostCommands {

  /** Runs {@code argv}, writing {@code stdin} to it when not null, and returns how it ended. */
  Result run(List<String> argv, String stdin);

  /** How a command ended: its exit code and output, decoded as UTF-8. */
  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    public Result {
      command = List.copyOf(command);
      Objects.requireNonNull(stdout, "stdout");
      Objects.requireNonNull(stderr, "stderr");
    }

    /** This result, or a {@link NetworkException.HostCommandFailed} with the tool's stderr if it did not exit 0. */
    public Result requireSuccess() {
      if (exitCode != 0) {
        throw new NetworkException.HostCommandFailed(command, exitCode, stderr);
      }
      return this;
    }
  }

  /** Commands run as child processes of this JVM, each killed after {@code timeout}. */
  static HostCommands local(Duration timeout) {
    return (argv, stdin) -> runProcess(argv, stdin, timeout);
  }

  /**
   * These commands run inside the network namespace {@code netns} ({@code ip netns exec}), e.g. to try rules on
   * a namespace that plays the host.
   */
  default HostCommands inNamespace(String ipCommand, String netns) {
    HostCommands host = this;
    return (argv, stdin) -> {
      var wrapped = new ArrayList<>(List.of(ipCommand, "netns", "exec", netns));
      wrapped.addAll(argv);
      return host.run(wrapped, stdin);
    };
  }

  private static Result runProcess(List<String> argv, String stdin, Duration timeout) {
    Process process;
    try {
      process = new ProcessBuilder(argv).start();
    } catch (IOException e) {
      throw new NetworkException.HostCommandFailed(argv, -1, "cannot run it: " + e.getMessage());
    }
    // Both pipes are drained at once, so a chatty tool never blocks on a full pipe.
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // The tool exited without reading its input: its exit code and stderr say why.
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw NetworkException.HostCommandFailed.timedOut(argv, timeout);
      }
      return new Result(argv, process.exitValue(), out.get(), err.get());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new NetworkException.HostCommandFailed(argv, -1, "interrupted while waiting for it");
    } catch (ExecutionException e) {
      throw new NetworkException.HostCommandFailed(argv, -1, "cannot read its output: " + e.getCause());
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    var result = new CompletableFuture<String>();
    Thread.ofVirtual().name("host-command-output").start(() -> {
      try (stream) {
        result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        result.completeExceptionally(new UncheckedIOException(e));
      }
    });
    return result;
  }
}

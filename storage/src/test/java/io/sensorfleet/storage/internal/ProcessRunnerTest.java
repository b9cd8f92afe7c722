package io.sensorfleet.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {

  final ProcessRunner runner = new ProcessRunner();
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void gives_the_exit_code_output_and_error_output() {
    CommandResult result = runner.run(CommandLine.of("sh", "-c", "echo out; echo err >&2; exit 3"), TIMEOUT);

    assertEquals(new CommandResult(3, "out\n", "err\n"), result);
  }

  @Test
  void feeds_standard_input() {
    CommandLine cat = CommandLine.of("cat").withStdin("secret\n".getBytes(StandardCharsets.US_ASCII));

    assertEquals("secret\n", runner.run(cat, TIMEOUT).stdout());
  }

  @Test
  void a_failing_command_carries_the_tools_own_error_output() {
    var failed = assertThrows(StorageException.CommandFailed.class,
        () -> runner.check(CommandLine.of("sh", "-c", "echo 'no such thing' >&2; exit 32"), TIMEOUT));

    assertEquals(32, failed.exitCode());
    assertEquals("no such thing\n", failed.stderr());
  }

  @Test
  void a_daemon_that_keeps_the_output_open_does_not_hold_up_the_caller() {
    long start = System.nanoTime();

    CommandResult result = runner.run(CommandLine.of("sh", "-c", "sleep 20 & echo started"), TIMEOUT);

    assertEquals("started\n", result.stdout());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5, "waited for the background child");
  }

  @Test
  void a_command_that_outlasts_its_timeout_is_killed() {
    assertThrows(StorageException.CommandTimedOut.class,
        () -> runner.run(CommandLine.of("sleep", "30"), Duration.ofMillis(300)));
  }

  @Test
  void a_missing_tool_is_unsupported() {
    assertThrows(StorageException.Unsupported.class,
        () -> runner.run(CommandLine.of("/nonexistent/gocryptfs", "-version"), TIMEOUT));
  }

  @Test
  void error_output_can_go_to_a_log_that_stays(@TempDir Path dir) throws IOException {
    Path log = dir.resolve("tool.log");

    runner.run(CommandLine.of("sh", "-c", "echo kept >&2").withStderrLog(log), TIMEOUT);

    assertEquals("kept\n", Files.readString(log));
  }
}

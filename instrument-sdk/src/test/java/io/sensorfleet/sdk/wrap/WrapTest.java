package io.sensorfleet.sdk.wrap;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.MutableClock;
import io.sensorfleet.sdk.testing.TestClients;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WrapTest {

  final FakePlatform platform = FakePlatform.start();
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
  final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @AfterEach
  void stop() {
    platform.close();
  }

  CompletableFuture<Integer> wrap(String... command) {
    List<String> args = new ArrayList<>(List.of("--heartbeat", "30s", "--stop-grace", "5s", "--"));
    args.addAll(List.of(command));
    WrapOptions options = WrapOptions.parse(args.toArray(String[]::new));
    CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try {
        exitCode.complete(Wrap.run(options, TestClients.on(platform), clock, out));
      } catch (Throwable t) {
        exitCode.completeExceptionally(t);
      }
    });
    return exitCode;
  }

  static int exitCodeOf(CompletableFuture<Integer> exitCode) throws Exception {
    return exitCode.get(FakePlatform.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void forwards_the_programs_output() throws Exception {
    var exitCode = wrap("sh", "-c", "echo one; echo two");
    platform.acceptAndWelcome();

    exitCodeOf(exitCode);
    assertEquals("one\ntwo\n", out.toString());
  }

  @Test
  void reports_the_programs_exit_unasked_then_says_bye() {
    wrap("sh", "-c", "echo one; exit 3");
    var link = platform.acceptAndWelcome();

    Frame.HealthReport report = link.expect(Frame.HealthReport.class);
    assertEquals(Optional.empty(), report.re());
    assertEquals(HealthStatus.FAILED, report.status());
    assertEquals("exited with code 3", report.detail());
    link.expect(Frame.Bye.class);
  }

  @Test
  void ends_with_the_programs_exit_code() throws Exception {
    var exitCode = wrap("sh", "-c", "exit 3");
    platform.acceptAndWelcome();

    assertEquals(3, exitCodeOf(exitCode));
  }

  @Test
  void answers_healthy_while_the_program_printed_within_the_heartbeat_and_failed_after() throws Exception {
    var exitCode = wrap("sh", "-c", "echo started; exec sleep 60");
    var link = platform.acceptAndWelcome();
    await().atMost(FakePlatform.TIMEOUT).until(out::toString, containsString("started"));
    clock.advance(Duration.ofSeconds(30));
    link.send(new Frame.HealthQuery("q1"));
    assertEquals(HealthStatus.HEALTHY, link.expect(Frame.HealthReport.class).status());

    clock.advance(Duration.ofSeconds(1));
    link.send(new Frame.HealthQuery("q2"));
    Frame.HealthReport late = link.expect(Frame.HealthReport.class);
    assertEquals(HealthStatus.FAILED, late.status());
    assertEquals("no output for 31s", late.detail());

    link.send(new Frame.Bye("test over"));
    exitCodeOf(exitCode);
  }

  @Test
  void stops_the_program_when_the_platform_says_bye() throws Exception {
    var exitCode = wrap("sh", "-c", "echo started; exec sleep 60");
    var link = platform.acceptAndWelcome();
    await().atMost(FakePlatform.TIMEOUT).until(out::toString, containsString("started"));
    link.send(new Frame.Bye("upgrade"));

    link.expect(Frame.Bye.class);
    assertEquals(128 + 15, exitCodeOf(exitCode), "killed by SIGTERM");
  }
}

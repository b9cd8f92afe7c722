package io.sensorfleet.sdk.wrap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessLivenessTest {

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
  final ProcessLiveness liveness = new ProcessLiveness(clock, Duration.ofSeconds(30));

  @Test
  void is_healthy_at_the_start_before_any_output() {
    assertEquals(HealthStatus.HEALTHY, liveness.health().status());
  }

  @Test
  void stays_healthy_while_lines_come_within_the_heartbeat() {
    clock.advance(Duration.ofSeconds(25));
    liveness.lineSeen();
    clock.advance(Duration.ofSeconds(25));

    assertEquals(HealthStatus.HEALTHY, liveness.health().status());
  }

  @Test
  void is_healthy_exactly_at_the_heartbeat() {
    clock.advance(Duration.ofSeconds(30));

    assertEquals(HealthStatus.HEALTHY, liveness.health().status());
  }

  @Test
  void fails_after_a_silence_longer_than_the_heartbeat() {
    liveness.lineSeen();
    clock.advance(Duration.ofSeconds(31));

    Health health = liveness.health();
    assertEquals(HealthStatus.FAILED, health.status());
    assertEquals("no output for 31s", health.detail());
  }

  @Test
  void fails_once_the_program_exited_even_if_it_just_printed() {
    liveness.lineSeen();
    liveness.exited(3);

    Health health = liveness.health();
    assertEquals(HealthStatus.FAILED, health.status());
    assertEquals("exited with code 3", health.detail());
  }

  @Test
  void reports_lines_and_silence_as_metrics() {
    liveness.lineSeen();
    liveness.lineSeen();
    clock.advance(Duration.ofSeconds(4));

    assertEquals(Optional.of(RawJson.of("{\"lines\":2,\"seconds_since_output\":4}")), liveness.health().metrics());
  }
}

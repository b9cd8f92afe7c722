package io.sensorfleet.actors.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.instrument.HealthTracker.Check;
import io.sensorfleet.actors.instrument.HealthTracker.Result;
import io.sensorfleet.actors.instrument.HealthTracker.State;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthTrackerTest {

  static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

  private static Check check(Result result) {
    return new Check(T0, result, result == Result.TIMEOUT ? Optional.empty() : Optional.of(Duration.ofMillis(3)), "");
  }

  @Test
  void a_healthy_answer_makes_the_instrument_healthy() {
    assertEquals(State.HEALTHY, HealthTracker.stopped(10).starting().record(check(Result.HEALTHY)).state());
  }

  @Test
  void a_degraded_answer_is_shown_but_is_no_failure() {
    var health = HealthTracker.stopped(10).starting().record(check(Result.DEGRADED));
    assertEquals(State.DEGRADED, health.state());
    assertEquals(0, health.consecutiveFailures());
  }

  @Test
  void timeouts_and_failed_reports_count_towards_a_restart() {
    var health = HealthTracker.stopped(10).starting()
        .record(check(Result.TIMEOUT)).record(check(Result.FAILED));
    assertEquals(State.UNHEALTHY, health.state());
    assertFalse(health.restartDue(3));
    assertTrue(health.record(check(Result.NOT_CONNECTED)).restartDue(3));
  }

  @Test
  void failures_within_the_start_period_are_shown_but_not_counted() {
    var health = HealthTracker.stopped(10).starting(T0.plusSeconds(30))
        .record(check(Result.TIMEOUT)).record(check(Result.TIMEOUT)).record(check(Result.TIMEOUT));
    assertEquals(State.STARTING, health.state());
    assertEquals(0, health.consecutiveFailures());
    assertEquals(3, health.recent().size());
  }

  @Test
  void failures_after_the_start_period_count() {
    var health = HealthTracker.stopped(10).starting(T0.minusSeconds(1)).record(check(Result.TIMEOUT));
    assertEquals(State.UNHEALTHY, health.state());
    assertEquals(1, health.consecutiveFailures());
  }

  @Test
  void a_good_check_ends_the_start_period() {
    var health = HealthTracker.stopped(10).starting(T0.plusSeconds(30))
        .record(check(Result.HEALTHY)).record(check(Result.TIMEOUT));
    assertEquals(State.UNHEALTHY, health.state());
    assertEquals(1, health.consecutiveFailures());
  }

  @Test
  void a_good_check_resets_failures_and_restarts() {
    var health = HealthTracker.stopped(10).starting().record(check(Result.TIMEOUT)).restarted()
        .record(check(Result.HEALTHY));
    assertEquals(0, health.consecutiveFailures());
    assertEquals(0, health.restarts());
  }

  @Test
  void keeps_only_the_last_results() {
    var health = HealthTracker.stopped(2).starting();
    for (int i = 0; i < 5; i++) {
      health = health.record(check(Result.HEALTHY));
    }
    assertEquals(2, health.recent().size());
  }

  @Test
  void backoff_doubles_and_is_capped() {
    Duration min = Duration.ofSeconds(1);
    Duration max = Duration.ofSeconds(30);
    assertEquals(Duration.ofSeconds(1), HealthTracker.backoff(1, min, max));
    assertEquals(Duration.ofSeconds(4), HealthTracker.backoff(3, min, max));
    assertEquals(max, HealthTracker.backoff(40, min, max));
  }
}

package io.sensorfleet.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  static final Backoff NO_JITTER = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 0.0);

  @Test
  void waits_min_before_the_first_retry() {
    assertEquals(Duration.ofMillis(100), NO_JITTER.delay(0, 0.5));
  }

  @Test
  void grows_by_the_multiplier_per_attempt() {
    assertEquals(Duration.ofMillis(800), NO_JITTER.delay(3, 0.5));
  }

  @Test
  void never_waits_longer_than_max() {
    assertEquals(Duration.ofSeconds(5), NO_JITTER.delay(1000, 0.5));
  }

  @Test
  void jitter_takes_up_to_its_fraction_off_the_wait() {
    Backoff jittered = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 0.2);

    assertEquals(Duration.ofMillis(400), jittered.delay(2, 0.0));
    assertEquals(Duration.ofMillis(360), jittered.delay(2, 0.5));
    assertEquals(Duration.ofMillis(320), jittered.delay(2, 1.0));
  }

  @Test
  void refuses_a_max_below_min() {
    assertThrows(IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2.0, 0.2));
  }

  @Test
  void refuses_jitter_outside_zero_to_one() {
    assertThrows(IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 2.0, 1.5));
  }
}

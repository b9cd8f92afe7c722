package io.sensorfleet.instruments.dnssensor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AlertThrottleTest {

  static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
  static final Duration MINUTE = Duration.ofMinutes(1);
  static final AlertThrottle.Key KEY = new AlertThrottle.Key("demo", "*.evil.example", "a.evil.example", "192.0.2.1");

  final AlertThrottle throttle = new AlertThrottle();

  @Test
  void lets_the_same_alert_through_again_once_its_window_passed() {
    assertTrue(throttle.allow(KEY, T0, MINUTE));
    assertFalse(throttle.allow(KEY, T0.plusSeconds(59), MINUTE));
    assertTrue(throttle.allow(KEY, T0.plusSeconds(60), MINUTE));
  }

  @Test
  void another_client_is_another_alert() {
    throttle.allow(KEY, T0, MINUTE);

    assertTrue(throttle.allow(new AlertThrottle.Key("demo", "*.evil.example", "a.evil.example", "192.0.2.2"), T0,
        MINUTE));
  }

  @Test
  void a_zero_window_suppresses_nothing() {
    assertTrue(throttle.allow(KEY, T0, Duration.ZERO));
    assertTrue(throttle.allow(KEY, T0, Duration.ZERO));
  }

  @Test
  void forgets_the_least_recent_alerts_beyond_its_bound() {
    throttle.allow(KEY, T0, MINUTE);
    for (int i = 0; i < AlertThrottle.MAX_KEYS; i++) {
      throttle.allow(new AlertThrottle.Key("demo", "*", "n" + i + ".example", "192.0.2.1"), T0, MINUTE);
    }

    assertTrue(throttle.allow(KEY, T0, MINUTE), "forgotten, so it alerts again");
  }
}

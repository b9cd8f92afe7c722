package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.Objects;

/**
 * How the sensor checks that the Instrument is alive: every {@code interval} it expects an answer within
 * {@code timeout}; after {@code failuresBeforeRestart} misses in a row it restarts the container.
 *
 * <p>Defaults ({@link #DEFAULT}): 10s, 3s, 3. Bounds: interval 1s to 1h; timeout above zero and shorter than
 * the interval (otherwise checks would overlap); 1 to 100 failures.
 */
public record Health(
    @JsonFormat(shape = JsonFormat.Shape.STRING) Duration interval,
    @JsonFormat(shape = JsonFormat.Shape.STRING) Duration timeout,
    @JsonProperty("failures-before-restart") int failuresBeforeRestart) {

  public static final Health DEFAULT = new Health(Duration.ofSeconds(10), Duration.ofSeconds(3), 3);

  public Health {
    requireInterval(interval);
    requireTimeout(timeout);
    requireFailures(failuresBeforeRestart);
    if (timeout.compareTo(interval) >= 0) {
      throw new IllegalArgumentException(timeoutNotShorter(interval, timeout));
    }
  }

  static Duration requireInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("must be between 1s and 1h, got " + Durations.format(interval));
    }
    return interval;
  }

  static Duration requireTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("must be longer than zero");
    }
    return timeout;
  }

  static int requireFailures(int failures) {
    if (failures < 1 || failures > 100) {
      throw new IllegalArgumentException("must be between 1 and 100, got " + failures);
    }
    return failures;
  }

  static String timeoutNotShorter(Duration interval, Duration timeout) {
    return "must be shorter than the interval (" + Durations.format(interval) + "), got " + Durations.format(timeout);
  }
}

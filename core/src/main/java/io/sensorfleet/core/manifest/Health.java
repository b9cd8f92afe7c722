package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.Objects;

/**
 * How the sensor checks that the Instrument is alive: every {@code interval} it expects an answer within
 * {@code timeout}; after {@code failuresBeforeRestart} misses in a row it restarts the container.
 *
 * <p>{@code startPeriod} is the time a slow starter gets after its hello: checks run and are shown, but until
 * the first good one, failures within this period do not count towards a restart (Docker's
 * {@code --health-start-period}). After the first good check every failure counts.
 *
 * <p>Defaults ({@link #DEFAULT}): 10s, 3s, 3, 0s. Bounds: interval 1s to 1h; timeout above zero and shorter than
 * the interval (otherwise checks would overlap); 1 to 100 failures; start period 0 to 1h. A manifest journaled
 * before the start period existed reads as 0s.
 */
public record Health(
    @JsonFormat(shape = JsonFormat.Shape.STRING) Duration interval,
    @JsonFormat(shape = JsonFormat.Shape.STRING) Duration timeout,
    @JsonProperty("failures-before-restart") int failuresBeforeRestart,
    @JsonProperty("start-period") @JsonFormat(shape = JsonFormat.Shape.STRING) Duration startPeriod) {

  public static final Health DEFAULT = new Health(Duration.ofSeconds(10), Duration.ofSeconds(3), 3, Duration.ZERO);

  public Health {
    requireInterval(interval);
    requireTimeout(timeout);
    requireFailures(failuresBeforeRestart);
    startPeriod = startPeriod == null ? Duration.ZERO : requireStartPeriod(startPeriod);
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

  static Duration requireStartPeriod(Duration startPeriod) {
    if (startPeriod.isNegative() || startPeriod.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("must be between 0s and 1h, got " + Durations.format(startPeriod));
    }
    return startPeriod;
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

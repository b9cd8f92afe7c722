package io.sensorfleet.sdk;

import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.RawJson;
import java.util.Objects;
import java.util.Optional;

/**
 * The Instrument's verdict on its own health, answered to the platform's {@code health-query} (or reported unasked
 * with {@link InstrumentClient#reportHealth}). The platform restarts an Instrument that keeps reporting
 * {@link HealthStatus#FAILED}, or that does not answer.
 *
 * @param detail for the operator: what is wrong, or empty; cut to 4096 characters if longer
 * @param metrics an optional JSON object of the Instrument's own counters, passed through to the platform's metrics
 */
public record Health(HealthStatus status, String detail, Optional<RawJson> metrics) {
  public Health {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(metrics, "metrics");
    if (metrics.isPresent() && !metrics.get().isObject()) {
      throw new IllegalArgumentException("metrics must be a JSON object, got " + metrics.get());
    }
  }

  public static Health healthy() {
    return new Health(HealthStatus.HEALTHY, "", Optional.empty());
  }

  public static Health healthy(String detail) {
    return new Health(HealthStatus.HEALTHY, detail, Optional.empty());
  }

  /** Working, but with reduced function (dropping input, a feed out of date...). */
  public static Health degraded(String detail) {
    return new Health(HealthStatus.DEGRADED, detail, Optional.empty());
  }

  /** Not doing its job. */
  public static Health failed(String detail) {
    return new Health(HealthStatus.FAILED, detail, Optional.empty());
  }

  /** This verdict with {@code metrics}, a JSON object such as {@code {"queries_per_s":412}}. */
  public Health withMetrics(RawJson metrics) {
    return new Health(status, detail, Optional.of(metrics));
  }
}

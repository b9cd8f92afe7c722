package io.sensorfleet.core.protocol;

import java.util.Optional;

/** An Instrument's own verdict on its health, reported in {@code health-report}. */
public enum HealthStatus {
  /** Working as configured. */
  HEALTHY("healthy"),
  /** Working, but with reduced function (e.g. dropping input, a feed out of date). */
  DEGRADED("degraded"),
  /** Not doing its job; the platform may restart it. */
  FAILED("failed");

  private final String wireName;

  HealthStatus(String wireName) {
    this.wireName = wireName;
  }

  /** The value on the wire, e.g. {@code degraded}. */
  public String wireName() {
    return wireName;
  }

  /** The status with this wire name, or empty for a name this version does not know. */
  public static Optional<HealthStatus> fromWireName(String name) {
    for (HealthStatus s : values()) {
      if (s.wireName.equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}

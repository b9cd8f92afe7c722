package io.sensorfleet.sdk;

import java.util.Objects;

/**
 * What the {@code onConfig} callback decided; the SDK answers the platform's {@code config} frame with
 * {@code config-ack} or {@code config-reject} carrying the same version.
 */
public sealed interface ConfigDecision {

  /** The configuration is applied; the platform records it as the Instrument's current one. */
  record Accept() implements ConfigDecision {}

  /**
   * The configuration is not applied and the previous one stays in force.
   *
   * @param reason shown to the operator who changed the configuration, so say what to fix; cut to the protocol's
   *     4096 characters if longer
   */
  record Reject(String reason) implements ConfigDecision {
    public Reject {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Applied: answered with {@code config-ack}. */
  static ConfigDecision accept() {
    return new Accept();
  }

  /** Not applied, because of {@code reason}: answered with {@code config-reject}. */
  static ConfigDecision reject(String reason) {
    return new Reject(reason);
  }
}

package io.sensorfleet.core.protocol;

import java.util.Optional;

/** Who a published event is for; the platform routes and permits on it. */
public enum Audience {
  /** People, through the platform's UI and alerting. */
  USERS("users"),
  /** Other Instruments subscribed to the topic. */
  INSTRUMENTS("instruments");

  private final String wireName;

  Audience(String wireName) {
    this.wireName = wireName;
  }

  /** The value on the wire, e.g. {@code users}. */
  public String wireName() {
    return wireName;
  }

  /** The audience with this wire name, or empty for a name this version does not know. */
  public static Optional<Audience> fromWireName(String name) {
    for (Audience a : values()) {
      if (a.wireName.equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}

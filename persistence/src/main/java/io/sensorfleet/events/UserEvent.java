package io.sensorfleet.events;

import io.sensorfleet.core.InstrumentId;
import java.time.Instant;
import java.util.Objects;

/**
 * An event an Instrument published for audience {@code users} (alerts and the like), as stored: the platform
 * stamped {@code from} (from the socket it arrived on) and {@code occurredAt} (when it accepted the publish).
 *
 * @param seq        position in the store, increasing; 0 before it is stored
 * @param payload    the published JSON, byte for byte as the Instrument wrote it
 */
public record UserEvent(long seq, String topic, InstrumentId from, Instant occurredAt, String payload) {

  public UserEvent {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(payload, "payload");
  }

  /** An event not stored yet. */
  public static UserEvent unstored(String topic, InstrumentId from, Instant occurredAt, String payload) {
    return new UserEvent(0, topic, from, occurredAt, payload);
  }
}

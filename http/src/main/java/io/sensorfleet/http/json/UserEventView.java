package io.sensorfleet.http.json;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.sensorfleet.events.UserEvent;
import java.time.Instant;

/** A stored {@code users} event; {@code payload} is the JSON the Instrument published, as it wrote it. */
public record UserEventView(long seq, String topic, String from, Instant occurredAt, @JsonRawValue String payload) {

  public static UserEventView of(UserEvent event) {
    return new UserEventView(event.seq(), event.topic(), event.from().value(), event.occurredAt(), event.payload());
  }
}

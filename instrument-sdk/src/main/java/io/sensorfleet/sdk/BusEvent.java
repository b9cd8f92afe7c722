package io.sensorfleet.sdk;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import java.time.Instant;

/**
 * An event published on a topic this Instrument subscribed to, as given to the {@code onEvent} callback.
 *
 * @param from the publishing Instrument, stamped by the platform from its socket (so it cannot be forged)
 * @param occurredAt when the platform accepted the publication
 * @param payload the publisher's JSON, byte for byte
 */
public record BusEvent(Topic topic, InstrumentId from, Audience audience, Instant occurredAt, RawJson payload) {}

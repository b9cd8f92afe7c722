package io.sensorfleet.sdk;

import io.sensorfleet.core.protocol.RawJson;
import java.util.Objects;

/**
 * A configuration for the Instrument to apply, as given to the {@code onConfig} callback.
 *
 * @param version increases with every configuration change of this Instrument; the SDK echoes it in the answer
 * @param config a JSON object whose schema belongs to the Instrument (parse it with any JSON library)
 * @param restored true when it came with {@code welcome}: the platform's record of the last configuration this
 *     Instrument accepted, handed over at (re)connection so it can start at once. It was accepted before, so the
 *     decision is not sent to the platform; a rejection is only logged.
 */
public record ConfigUpdate(long version, RawJson config, boolean restored) {
  public ConfigUpdate {
    Objects.requireNonNull(config, "config");
  }
}

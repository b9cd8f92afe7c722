package io.sensorfleet.sdk.internal;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.sdk.BusEvent;
import io.sensorfleet.sdk.ClientState;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.ConfigUpdate;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.RetentionResult;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/** The app's callbacks, defaults filled in by the builder. */
public record Callbacks(
    Function<ConfigUpdate, ConfigDecision> config,
    Supplier<Health> health,
    Function<Instant, RetentionResult> retention,
    BiConsumer<InstrumentId, RawJson> message,
    Consumer<BusEvent> event,
    Consumer<Frame.ResourceAvailable> resource,
    Consumer<Frame.Error> error,
    Consumer<String> shutdown,
    Consumer<ClientState> stateChange) {
  public Callbacks {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(shutdown, "shutdown");
    Objects.requireNonNull(stateChange, "stateChange");
  }
}

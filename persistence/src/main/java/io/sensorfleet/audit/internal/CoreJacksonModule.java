package io.sensorfleet.audit.internal;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.sensorfleet.core.InstrumentId;

/**
 * Reads {@link InstrumentId} from its plain string form in Pekko's {@code jackson-json} mapper (registered in this
 * module's {@code reference.conf}).
 *
 * <p>Why: Pekko registers Jackson's ParameterNamesModule, and with it the single-argument {@code @JsonCreator
 * InstrumentId.of(String value)} is taken for a properties creator (its parameter is named like the record's
 * property), so {@code "ids"} cannot be read back and the journal could not be replayed. The fix belongs in core
 * ({@code @JsonCreator(mode = JsonCreator.Mode.DELEGATING)}); once it is there, this module is redundant and can go.
 */
public final class CoreJacksonModule extends SimpleModule {

  public CoreJacksonModule() {
    super("SensorFleetCoreTypes");
    addDeserializer(InstrumentId.class, new FromStringDeserializer<>(InstrumentId.class) {
      @Override
      protected InstrumentId _deserialize(String value, DeserializationContext ctxt) {
        return InstrumentId.of(value);
      }
    });
  }
}

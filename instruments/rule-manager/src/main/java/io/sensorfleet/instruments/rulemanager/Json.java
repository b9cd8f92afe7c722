package io.sensorfleet.instruments.rulemanager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.sensorfleet.core.protocol.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/** The one JSON mapper of this Instrument: instants as ISO-8601 strings. */
final class Json {

  static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance))
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private Json() {}

  static RawJson write(Object value) {
    try {
      return RawJson.of(MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** The tree of a payload or configuration; RawJson is always valid JSON. */
  static JsonNode read(RawJson json) {
    try {
      return MAPPER.readTree(json.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.sensorfleet.instruments.support;

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

/** The JSON mapper of the reference Instruments (instants as ISO-8601 strings) and its two uses. */
public final class Json {

  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance))
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private Json() {}

  public static RawJson write(Object value) {
    try {
      return RawJson.of(MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** The tree of a payload or configuration; RawJson is always valid JSON. */
  public static JsonNode read(RawJson json) {
    try {
      return MAPPER.readTree(json.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.sensorfleet.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.instrument.InstrumentJournal;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Locale;

/**
 * One configuration version: its content, who set it and when, and the Instrument's answer ({@code pending},
 * {@code accepted} or {@code rejected} with a reason).
 */
public record ConfigVersionView(long version, JsonNode config, String by, Instant at, String note, String state,
                                String reason, Instant answeredAt) {

  public static ConfigVersionView of(InstrumentJournal.ConfigVersion v, ObjectMapper mapper) {
    JsonNode config;
    try {
      config = mapper.readTree(v.json());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException("a journaled configuration is not JSON", e);
    }
    return new ConfigVersionView(v.version(), config, v.by().toString(), v.at(), v.note(),
        v.state().name().toLowerCase(Locale.ROOT), v.reason(), v.answeredAt().orElse(null));
  }
}

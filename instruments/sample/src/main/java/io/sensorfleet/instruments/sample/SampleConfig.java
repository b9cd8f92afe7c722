package io.sensorfleet.instruments.sample;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The sample Instrument's configuration, e.g. {@code {"heartbeat_seconds": 60, "topic": "alerts.ids"}}.
 *
 * <p>The platform hands configurations over as raw JSON and leaves their schema to the Instrument; this one reads
 * them with Jackson's streaming parser (already in the jar through the SDK) and refuses anything it does not
 * understand, so a typo reaches the operator as a rejection instead of being ignored.
 *
 * @param heartbeat how often to write the heartbeat line; required ({@code heartbeat_seconds}, 1 to 86400)
 * @param topic a topic to subscribe to and log the events of, if any
 */
public record SampleConfig(Duration heartbeat, Optional<Topic> topic) {

  private static final JsonFactory JSON = new JsonFactory();
  private static final long MAX_HEARTBEAT_SECONDS = 86_400;

  public SampleConfig {
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(topic, "topic");
  }

  /** What a configuration said: valid, or why not, in words for the operator. */
  public sealed interface Parsed {
    record Valid(SampleConfig config) implements Parsed {}

    record Invalid(String reason) implements Parsed {}
  }

  public static Parsed parse(RawJson json) {
    Long heartbeatSeconds = null;
    Optional<Topic> topic = Optional.empty();
    try (JsonParser p = JSON.createParser(json.toByteArray())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new Parsed.Invalid("the configuration must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "heartbeat_seconds" -> {
            if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || p.getLongValue() < 1 || p.getLongValue() > MAX_HEARTBEAT_SECONDS) {
              return new Parsed.Invalid("heartbeat_seconds must be a whole number from 1 to " + MAX_HEARTBEAT_SECONDS);
            }
            heartbeatSeconds = p.getLongValue();
          }
          case "topic" -> {
            if (value != JsonToken.VALUE_STRING || !Topic.isValid(p.getText())) {
              return new Parsed.Invalid("topic must be a topic name such as alerts.ids");
            }
            topic = Optional.of(Topic.of(p.getText()));
          }
          case "reject" -> {
            if (value == JsonToken.VALUE_TRUE) {
              return new Parsed.Invalid("rejected as asked by \"reject\": true");
            }
            if (value != JsonToken.VALUE_FALSE) {
              return new Parsed.Invalid("reject must be true or false");
            }
          }
          default -> {
            return new Parsed.Invalid("unknown field '" + field + "'; known: heartbeat_seconds, topic, reject");
          }
        }
      }
    } catch (IOException e) {
      // RawJson holds valid JSON: a bug or a Jackson limit.
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      return new Parsed.Invalid("unreadable configuration: " + why);
    }
    if (heartbeatSeconds == null) {
      return new Parsed.Invalid("heartbeat_seconds is required");
    }
    return new Parsed.Valid(new SampleConfig(Duration.ofSeconds(heartbeatSeconds), topic));
  }
}

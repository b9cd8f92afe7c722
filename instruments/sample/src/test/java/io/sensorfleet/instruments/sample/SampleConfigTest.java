package io.sensorfleet.instruments.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SampleConfigTest {

  static SampleConfig.Parsed parse(String json) {
    return SampleConfig.parse(RawJson.of(json));
  }

  static String reasonOf(String json) {
    return assertInstanceOf(SampleConfig.Parsed.Invalid.class, parse(json)).reason();
  }

  @Test
  void reads_the_heartbeat_and_the_topic() {
    SampleConfig expected = new SampleConfig(Duration.ofSeconds(60), Optional.of(Topic.of("alerts.ids")));
    assertEquals(new SampleConfig.Parsed.Valid(expected),
        parse("{\"heartbeat_seconds\": 60, \"topic\": \"alerts.ids\", \"reject\": false}"));
  }

  @Test
  void needs_no_topic() {
    assertEquals(new SampleConfig.Parsed.Valid(new SampleConfig(Duration.ofSeconds(5), Optional.empty())),
        parse("{\"heartbeat_seconds\": 5}"));
  }

  @Test
  void rejects_a_configuration_that_asks_for_it() {
    assertTrue(reasonOf("{\"heartbeat_seconds\": 5, \"reject\": true}").contains("\"reject\": true"));
  }

  @Test
  void rejects_a_configuration_without_heartbeat_seconds() {
    assertEquals("heartbeat_seconds is required", reasonOf("{\"topic\": \"alerts.ids\"}"));
  }

  @Test
  void rejects_a_heartbeat_that_is_not_a_positive_whole_number() {
    assertTrue(reasonOf("{\"heartbeat_seconds\": 0}").startsWith("heartbeat_seconds must be"));
    assertTrue(reasonOf("{\"heartbeat_seconds\": 1.5}").startsWith("heartbeat_seconds must be"));
  }

  @Test
  void rejects_an_invalid_topic() {
    assertTrue(reasonOf("{\"heartbeat_seconds\": 5, \"topic\": \"Alerts!\"}").startsWith("topic must be"));
  }

  @Test
  void rejects_unknown_fields_naming_them() {
    assertTrue(reasonOf("{\"heartbeat_seconds\": 5, \"hartbeat\": 3}").contains("'hartbeat'"));
  }

  @Test
  void rejects_a_number_too_large_to_read() {
    assertTrue(reasonOf("{\"heartbeat_seconds\": 99999999999999999999999}").startsWith("heartbeat_seconds must be"));
  }
}

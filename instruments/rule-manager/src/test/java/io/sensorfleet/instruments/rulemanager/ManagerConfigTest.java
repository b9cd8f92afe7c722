package io.sensorfleet.instruments.rulemanager;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.RawJson;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManagerConfigTest {

  static ManagerConfig.Parsed parse(String json) {
    return ManagerConfig.parse(RawJson.of(json));
  }

  static String reason(String json) {
    return ((ManagerConfig.Parsed.Invalid) parse(json)).reason();
  }

  @Test
  void reads_rulesets_and_the_resend_period() {
    var parsed = parse("{\"rulesets\":[{\"name\":\"demo\",\"target\":\"dns-sensor\","
        + "\"patterns\":[\"*.Evil.example\"]}],\"resend-seconds\":30}");

    assertEquals(new ManagerConfig.Parsed.Valid(new ManagerConfig(List.of(new ManagerConfig.Rules("demo",
        InstrumentId.of("dns-sensor"), List.of("*.evil.example"))), Duration.ofSeconds(30))), parsed);
  }

  @Test
  void resends_every_minute_by_default() {
    assertEquals(new ManagerConfig.Parsed.Valid(new ManagerConfig(List.of(), Duration.ofSeconds(60))),
        parse("{\"rulesets\":[]}"));
  }

  @Test
  void rejects_what_it_does_not_understand_with_a_reason() {
    assertEquals("unknown field 'rules'; known: resend-seconds, rulesets", reason("{\"rules\":[]}"));
    assertEquals("rulesets must be a list of at most 1000 rulesets", reason("{}"));
    assertEquals("unknown field 'rulesets[0].pattern'; known: name, patterns, target",
        reason("{\"rulesets\":[{\"name\":\"d\",\"target\":\"dns-sensor\",\"pattern\":[]}]}"));
    assertEquals("rulesets[0].patterns: 'a b' is not a domain-name glob (letters, digits, '-', '_', '.', '*', '?')",
        reason("{\"rulesets\":[{\"name\":\"d\",\"target\":\"dns-sensor\",\"patterns\":[\"a b\"]}]}"));
    assertEquals("rulesets[1]: ruleset 'd' for dns-sensor is listed twice",
        reason("{\"rulesets\":[{\"name\":\"d\",\"target\":\"dns-sensor\",\"patterns\":[]},"
            + "{\"name\":\"d\",\"target\":\"dns-sensor\",\"patterns\":[]}]}"));
    assertEquals("resend-seconds must be a number of seconds above 0, at most 86400",
        reason("{\"rulesets\":[],\"resend-seconds\":0}"));
    assertEquals("rulesets[0].name must be 1 to 64 letters, digits, '.', '_' or '-'",
        reason("{\"rulesets\":[{\"name\":\"\",\"target\":\"dns-sensor\",\"patterns\":[]}]}"));
  }
}

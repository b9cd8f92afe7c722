package io.sensorfleet.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.core.InstrumentId;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The journal's JSON is read by auditors with SQL and by the HTTP layer's mapper: its shape is a contract. */
class AuditJsonTest {

  static final ActorTestKit kit = ActorTestKit.create();
  static final ObjectMapper mapper =
      JacksonObjectMapperProvider.get(kit.system()).getOrCreate("jackson-json", Optional.empty());

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  static final AuditLog.Recorded RECORDED = new AuditLog.Recorded(Instant.parse("2026-11-22T08:00:00.123456Z"),
      Principal.user("alice"), "instrument.start", AuditKind.LIFECYCLE, "ids", Optional.of(InstrumentId.of("ids")),
      Outcome.DENIED, "not allowed");

  @Test
  void writes_a_recorded_event_as_flat_json_with_lower_case_wire_forms() throws Exception {
    assertEquals("{\"occurredAt\":\"2026-11-22T08:00:00.123456Z\",\"principal\":\"user:alice\","
            + "\"action\":\"instrument.start\",\"kind\":\"lifecycle\",\"target\":\"ids\",\"instrument\":\"ids\","
            + "\"outcome\":\"denied\",\"detail\":\"not allowed\"}",
        mapper.writeValueAsString(RECORDED));
  }

  @Test
  void reads_back_a_recorded_event_it_wrote() throws Exception {
    assertEquals(RECORDED, mapper.readValue(mapper.writeValueAsString(RECORDED), AuditLog.Recorded.class));
  }

  @Test
  void reads_an_absent_instrument_as_empty() throws Exception {
    var platform = new AuditLog.Recorded(Instant.parse("2026-11-22T08:00:00Z"), Principal.platform(), "sensor.start",
        AuditKind.PLATFORM, "", Optional.empty(), Outcome.OK, "");

    assertEquals(platform, mapper.readValue(mapper.writeValueAsString(platform), AuditLog.Recorded.class));
  }

  @Test
  void round_trips_every_kind_of_principal_as_its_wire_string() throws Exception {
    for (Principal p : new Principal[] {Principal.platform(), Principal.user("bob@example.org"),
        Principal.instrument(InstrumentId.of("passive-dns"))}) {
      String json = mapper.writeValueAsString(p);
      assertEquals("\"" + p + "\"", json);
      assertEquals(p, mapper.readValue(json, Principal.class));
    }
  }

  @Test
  void round_trips_an_instrument_id_as_a_plain_string() throws Exception {
    assertEquals(InstrumentId.of("ids"), mapper.readValue("\"ids\"", InstrumentId.class));
  }
}

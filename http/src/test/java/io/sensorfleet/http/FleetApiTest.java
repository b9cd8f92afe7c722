package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditFilter;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class FleetApiTest {

  static final ActorTestKit kit = ActorTestKit.create();
  static final ObjectMapper mapper =
      JacksonObjectMapperProvider.get(kit.system()).getOrCreate("jackson-json", Optional.empty());
  static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");
  static final HttpSettings settings = new HttpSettings("127.0.0.1", 0, 100, 1000);

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static Route api(Function<AuditFilter, CompletionStage<List<AuditEntry>>> audit,
      CompletionStage<SensorGuardian.Status> status) {
    var clock = Clock.fixed(T0.plusSeconds(42), ZoneOffset.UTC);
    return new FleetApi(mapper, new HealthRoutes(() -> status, clock, mapper),
        new AuditRoutes(audit, settings, mapper),
        new InstrumentRoutes(() -> CompletableFuture.completedFuture(List.of()), mapper)).route();
  }

  private static Route api(Function<AuditFilter, CompletionStage<List<AuditEntry>>> audit) {
    return api(audit, CompletableFuture.completedFuture(
        new SensorGuardian.Status("sensor-t", SensorGuardian.Phase.RUNNING, T0)));
  }

  private static JsonNode call(Route route, String uri, int expectedStatus) throws Exception {
    HttpResponse response = route.handler(kit.system()).apply(HttpRequest.GET(uri))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    var body = response.entity().toStrict(5_000, kit.system()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(expectedStatus, response.status().intValue(), body.getData().utf8String());
    return mapper.readTree(body.getData().utf8String());
  }

  private static AuditEntry entry(long seq, String action) {
    return new AuditEntry(seq, T0.plusSeconds(seq), Principal.platform(), action, AuditKind.PLATFORM, "sensor",
        Optional.<InstrumentId>empty(), Outcome.OK, "");
  }

  @Test
  void health_reports_ok_with_name_and_uptime() throws Exception {
    JsonNode health = call(api(f -> CompletableFuture.completedFuture(List.of())), "/api/v1/health", 200);
    assertEquals("ok", health.get("status").asText());
    assertEquals("sensor-t", health.get("sensor").asText());
    assertEquals(42, health.get("uptimeSeconds").asLong());
  }

  @Test
  void health_answers_503_when_the_guardian_does_not_answer_in_time() throws Exception {
    JsonNode error = call(api(f -> CompletableFuture.completedFuture(List.of()),
        CompletableFuture.failedFuture(new TimeoutException("ask timed out"))), "/api/v1/health", 503);
    assertEquals("unavailable", error.get("code").asText());
  }

  @Test
  void audit_uses_the_default_limit_when_none_is_given() throws Exception {
    var seen = new AtomicReference<AuditFilter>();
    call(api(f -> {
      seen.set(f);
      return CompletableFuture.completedFuture(List.of());
    }), "/api/v1/audit", 200);
    assertEquals(100, seen.get().limit());
  }

  @Test
  void audit_passes_every_filter_through() throws Exception {
    var seen = new AtomicReference<AuditFilter>();
    call(api(f -> {
      seen.set(f);
      return CompletableFuture.completedFuture(List.of());
    }), "/api/v1/audit?limit=5&before=9&instrument=ids&principal=user:alice&action=config%20set&kind=config"
        + "&outcome=denied&from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z", 200);
    AuditFilter f = seen.get();
    assertEquals(5, f.limit());
    assertEquals(Optional.of(9L), f.beforeSeq());
    assertEquals(Optional.of(InstrumentId.of("ids")), f.instrument());
    assertEquals(Optional.of("user:alice"), f.principal());
    assertEquals(Optional.of("config set"), f.action());
    assertEquals(Optional.of(AuditKind.CONFIG), f.kind());
    assertEquals(Optional.of(Outcome.DENIED), f.outcome());
    assertEquals(Optional.of(Instant.parse("2026-11-22T00:00:00Z")), f.from());
  }

  @Test
  void audit_returns_entries_and_a_cursor_when_the_page_is_full() throws Exception {
    JsonNode page = call(api(f -> CompletableFuture.completedFuture(List.of(entry(3, "c"), entry(2, "b")))),
        "/api/v1/audit?limit=2", 200);
    assertEquals("c", page.get("entries").get(0).get("action").asText());
    assertEquals("platform", page.get("entries").get(0).get("principal").asText());
    assertEquals("ok", page.get("entries").get(0).get("outcome").asText());
    assertEquals(2, page.get("nextBefore").asLong());
  }

  @Test
  void audit_has_no_cursor_on_the_last_page() throws Exception {
    JsonNode page = call(api(f -> CompletableFuture.completedFuture(List.of(entry(1, "a")))),
        "/api/v1/audit?limit=2", 200);
    assertEquals(true, page.get("nextBefore").isNull());
  }

  @Test
  void audit_rejects_an_unknown_parameter_so_a_typo_never_widens_a_query() throws Exception {
    JsonNode error = call(api(f -> CompletableFuture.completedFuture(List.of())), "/api/v1/audit?instrumnet=ids",
        400);
    assertEquals("invalid-query", error.get("code").asText());
  }

  @Test
  void audit_rejects_a_limit_above_the_maximum() throws Exception {
    call(api(f -> CompletableFuture.completedFuture(List.of())), "/api/v1/audit?limit=100000", 400);
  }

  @Test
  void audit_rejects_a_limit_that_is_not_a_number() throws Exception {
    call(api(f -> CompletableFuture.completedFuture(List.of())), "/api/v1/audit?limit=ten", 400);
  }

  @Test
  void audit_rejects_a_bad_instant() throws Exception {
    call(api(f -> CompletableFuture.completedFuture(List.of())), "/api/v1/audit?from=yesterday", 400);
  }

  @Test
  void audit_rejects_a_bad_instrument_id() throws Exception {
    call(api(f -> CompletableFuture.completedFuture(List.of())), "/api/v1/audit?instrument=..%2Fetc", 400);
  }

  @Test
  void instruments_lists_id_image_network_and_states() throws Exception {
    var manifest = io.sensorfleet.core.manifest.ManifestParser.parseOrThrow(
        "id: dns-sensor\nimage: sensorfleet/jvm\nnetwork: {mode: passive, filter: \"udp port 53\"}\n");
    var status = new io.sensorfleet.actors.instrument.Instrument.Status(manifest.id(), Optional.of(manifest),
        io.sensorfleet.actors.instrument.InstrumentJournal.Desired.RUNNING,
        io.sensorfleet.actors.instrument.InstrumentJournal.Actual.RUNNING, "hello", Optional.of(T0), true,
        io.sensorfleet.actors.instrument.HealthTracker.stopped(10).starting().record(
            new io.sensorfleet.actors.instrument.HealthTracker.Check(T0, 
                io.sensorfleet.actors.instrument.HealthTracker.Result.HEALTHY, Optional.of(java.time.Duration.ofMillis(4)),
                "ok")), Optional.empty());
    var clock = Clock.fixed(T0, ZoneOffset.UTC);
    Route route = new FleetApi(mapper, new HealthRoutes(CompletableFuture::new, clock, mapper),
        new AuditRoutes(f -> CompletableFuture.completedFuture(List.of()), settings, mapper),
        new InstrumentRoutes(() -> CompletableFuture.completedFuture(List.of(status)), mapper)).route();
    JsonNode list = call(route, "/api/v1/instruments", 200);
    assertEquals("dns-sensor", list.get(0).get("id").asText());
    assertEquals("sensorfleet/jvm", list.get(0).get("image").asText());
    assertEquals("passive", list.get(0).get("network").asText());
    assertEquals("running", list.get(0).get("desired").asText());
    assertEquals("running", list.get(0).get("actual").asText());
    assertEquals(true, list.get(0).get("connected").asBoolean());
    assertEquals("healthy", list.get(0).get("health").asText());
    assertEquals(4, list.get(0).get("lastCheck").get("latencyMillis").asLong());
  }

  @Test
  void unknown_paths_answer_404_as_an_api_error() throws Exception {
    JsonNode error = call(api(f -> CompletableFuture.completedFuture(List.of())), "/api/v1/nope", 404);
    assertEquals("not-found", error.get("code").asText());
  }

  @Test
  void a_failing_query_answers_500_without_leaking_the_cause() throws Exception {
    JsonNode error = call(api(f -> CompletableFuture.failedFuture(new IllegalStateException("db password=x"))),
        "/api/v1/audit", 500);
    assertEquals("internal", error.get("code").asText());
    assertEquals(false, error.get("message").asText().contains("password"));
  }
}

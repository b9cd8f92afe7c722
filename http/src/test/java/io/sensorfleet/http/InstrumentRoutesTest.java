package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Role;
import io.sensorfleet.core.manifest.ManifestParser;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InstrumentRoutesTest extends ApiRouteTest {

  static final InstrumentId DNS = InstrumentId.of("dns-sensor");
  String viewer;
  String operator;

  @BeforeAll
  void setUp() {
    fleet.with(ManifestParser.parseOrThrow("""
        id: dns-sensor
        image: sensorfleet/jvm
        network: {mode: passive, filter: "udp port 53"}
        """), Actual.RUNNING);
    user("vic", Role.VIEWER);
    user("ola", Role.OPERATOR);
    viewer = login("vic");
    operator = login("ola");
  }

  private static HttpRequest yaml(String uri, String body) {
    return HttpRequest.POST(uri).withEntity(ContentTypes.create(
        org.apache.pekko.http.javadsl.model.MediaTypes.applicationWithOpenCharset("yaml"),
        org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8), body);
  }

  @Test
  void a_viewer_lists_instruments_with_their_states() {
    var list = json(app().run(as(viewer, HttpRequest.GET("/api/v1/instruments"))).assertStatusCode(200)
        .entityString());
    assertEquals("dns-sensor", list.get(0).get("id").asText());
    assertEquals("passive", list.get(0).get("network").asText());
    assertEquals("running", list.get(0).get("actual").asText());
    assertEquals("healthy", list.get(0).get("health").asText());
  }

  @Test
  void a_viewer_gets_one_instrument_and_its_health() {
    app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/dns-sensor"))).assertStatusCode(200);
    var health = json(app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/dns-sensor/health")))
        .assertStatusCode(200).entityString());
    assertEquals("healthy", health.get("state").asText());
    assertEquals(4, health.get("recent").get(0).get("latencyMillis").asInt());
  }

  @Test
  void a_viewer_reads_the_retention_period() {
    var retention = json(app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/dns-sensor/retention")))
        .assertStatusCode(200).entityString());
    assertEquals(30 * 86_400, retention.get("retentionSeconds").asLong());
    assertTrue(retention.get("lastReport").isNull());
  }

  @Test
  void an_instrument_shows_its_measured_storage_use_and_quota_in_bytes() {
    fleet.with(ManifestParser.parseOrThrow("""
        id: disk-user
        image: sensorfleet/base
        storage: {persistent: 64MiB, transient: 16MiB}
        """), Actual.RUNNING).withStorage(new io.sensorfleet.core.storage.StorageUsage(InstrumentId.of("disk-user"),
        5_000_000, 64L << 20, 4096, 16L << 20));
    var storage = json(app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/disk-user")))
        .assertStatusCode(200).entityString()).get("storage");
    assertEquals(5_000_000, storage.get("persistent").get("used").asLong());
    assertEquals(64L << 20, storage.get("persistent").get("quota").asLong());
    assertEquals(4096, storage.get("transient").get("used").asLong());
    assertEquals(16L << 20, storage.get("transient").get("quota").asLong());
  }

  @Test
  void storage_not_measured_yet_has_null_use_and_a_directory_not_asked_for_is_null() {
    fleet.with(ManifestParser.parseOrThrow("""
        id: disk-new
        image: sensorfleet/base
        storage: {persistent: 32MiB, transient: 0B}
        """), Actual.STOPPED);
    var storage = json(app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/disk-new")))
        .assertStatusCode(200).entityString()).get("storage");
    assertTrue(storage.get("persistent").get("used").isNull(), storage.toString());
    assertEquals(32L << 20, storage.get("persistent").get("quota").asLong());
    assertTrue(storage.get("transient").isNull(), storage.toString());
  }

  @Test
  void unknown_or_invalid_ids_answer_404() {
    assertCode("not-found", app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/nope"))).assertStatusCode(404)
        .entityString());
    app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/..%2Fetc"))).assertStatusCode(404);
    app().run(as(operator, HttpRequest.POST("/api/v1/instruments/nope/start"))).assertStatusCode(404);
  }

  @Test
  void a_viewer_cannot_start_or_stop_and_the_refusal_is_audited_with_the_viewer() {
    int before = fleet.calls().size();
    assertCode("forbidden", app().run(as(viewer, HttpRequest.POST("/api/v1/instruments/dns-sensor/stop")))
        .assertStatusCode(403).entityString());
    app().run(as(viewer, HttpRequest.POST("/api/v1/instruments/dns-sensor/start"))).assertStatusCode(403);
    assertEquals(before, fleet.calls().size(), "nothing reached the Instruments");
    var denial = audited.getLast();
    assertEquals("access denied", denial.action());
    assertEquals(Outcome.DENIED, denial.outcome());
    assertEquals(Principal.user("vic"), denial.principal());
    assertEquals(java.util.Optional.of(DNS), denial.instrument());
  }

  @Test
  void reads_refused_to_nobody_logged_in_are_401_not_403() {
    app().run(HttpRequest.POST("/api/v1/instruments/dns-sensor/stop")).assertStatusCode(401);
  }

  @Test
  void an_operator_stops_and_starts_and_the_command_carries_the_operator() {
    var stopped = json(app().run(as(operator, HttpRequest.POST("/api/v1/instruments/dns-sensor/stop")))
        .assertStatusCode(200).entityString());
    assertEquals("stopped", stopped.get("actual").asText());
    app().run(as(operator, HttpRequest.POST("/api/v1/instruments/dns-sensor/restart"))).assertStatusCode(200);
    var last = fleet.calls().getLast();
    assertEquals("start", last.what());
    assertEquals(Principal.user("ola"), last.by());
  }

  @Test
  void installs_from_a_yaml_manifest_and_refuses_a_second_install_with_409() {
    String manifest = "id: honeypot\nimage: sensorfleet/base\n";
    var created = app().run(as(operator, yaml("/api/v1/instruments", manifest))).assertStatusCode(201);
    created.assertHeaderExists("Location", "/api/v1/instruments/honeypot");
    assertEquals("installed", json(created.entityString()).get("actual").asText());
    assertCode("conflict", app().run(as(operator, yaml("/api/v1/instruments", manifest))).assertStatusCode(409)
        .entityString());
    var refusal = audited.getLast();
    assertEquals("instrument install refused", refusal.action());
    assertEquals(Outcome.FAILED, refusal.outcome());
    assertEquals(Principal.user("ola"), refusal.principal());
    assertEquals(java.util.Optional.of(InstrumentId.of("honeypot")), refusal.instrument());
  }

  @Test
  void installs_from_a_json_manifest_too() {
    app().run(as(operator, HttpRequest.POST("/api/v1/instruments").withEntity(ContentTypes.APPLICATION_JSON,
        "{\"id\": \"netflow\", \"image\": \"sensorfleet/base\"}"))).assertStatusCode(201);
  }

  @Test
  void an_invalid_manifest_answers_400_with_each_field_path() {
    var body = json(app().run(as(operator, yaml("/api/v1/instruments",
        "id: bad\nimage: sensorfleet/base\nlimits: {memroy: 1GiB}\nnetwork: {mode: teleport}\n")))
        .assertStatusCode(400).entityString());
    assertEquals("invalid-manifest", body.get("code").asText());
    var paths = new java.util.ArrayList<String>();
    body.get("errors").forEach(e -> paths.add(e.get("path").asText()));
    assertTrue(paths.contains("limits.memroy"), paths.toString());
    assertTrue(paths.stream().anyMatch(p -> p.startsWith("network")), paths.toString());
  }

  @Test
  void a_bad_static_address_answers_400_at_network_address_and_never_reaches_the_fleet() {
    var body = json(app().run(as(operator, yaml("/api/v1/instruments",
        "id: bad-addr\nimage: sensorfleet/base\nnetwork: {mode: bridged, bridge: br-x, address: 10.254.0.255/24}\n")))
        .assertStatusCode(400).entityString());
    assertEquals("invalid-manifest", body.get("code").asText());
    assertEquals("network.address", body.get("errors").get(0).get("path").asText());
    assertTrue(fleet.calls().stream().noneMatch(c -> c.id().value().equals("bad-addr")), "never reached the fleet");
  }

  @Test
  void a_pcap_filter_libpcap_refuses_answers_400_with_libpcaps_message() {
    var body = json(app().run(as(operator, yaml("/api/v1/instruments",
        "id: bad-ids\nimage: sensorfleet/base\nnetwork: {mode: passive, filter: \"udp dst prot 53\"}\n")))
        .assertStatusCode(400).entityString());
    assertEquals("invalid-manifest", body.get("code").asText());
    assertEquals("network.filter", body.get("errors").get(0).get("path").asText());
    assertTrue(body.get("errors").get(0).get("reason").asText().contains("unknown host 'prot'"), body.toString());
    assertTrue(fleet.calls().stream().noneMatch(c -> c.id().value().equals("bad-ids")), "never reached the fleet");
  }

  @Test
  void a_pcap_filter_libpcap_accepts_is_installed() {
    app().run(as(operator, yaml("/api/v1/instruments",
        "id: dns-ids\nimage: sensorfleet/base\nnetwork: {mode: passive, filter: \"udp port 53\"}\n")))
        .assertStatusCode(201);
  }

  @Test
  void removes_with_purge_when_asked() {
    fleet.with(ManifestParser.parseOrThrow("id: old-ids\nimage: sensorfleet/base\n"), Actual.STOPPED);
    app().run(as(operator, HttpRequest.DELETE("/api/v1/instruments/old-ids?purge=true"))).assertStatusCode(200);
    assertEquals("purge", fleet.calls().getLast().what());
    app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/old-ids"))).assertStatusCode(404);
  }

  @Test
  void config_is_read_set_listed_and_rolled_back() {
    var current = json(app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/dns-sensor/config")))
        .assertStatusCode(200).entityString());
    assertEquals(1, current.get("config").get("level").asInt());
    var set = json(app().run(as(operator, HttpRequest.PUT("/api/v1/instruments/dns-sensor/config")
        .withEntity(ContentTypes.APPLICATION_JSON, "{\"level\": 2}"))).assertStatusCode(200).entityString());
    assertEquals("pending", set.get("state").asText());
    assertEquals("user:ola", set.get("by").asText());
    var rolled = json(app().run(as(operator, HttpRequest.POST("/api/v1/instruments/dns-sensor/config/rollback")
        .withEntity(ContentTypes.APPLICATION_JSON, "{\"version\": 1}"))).assertStatusCode(200).entityString());
    assertEquals(1, rolled.get("config").get("level").asInt());
    var versions = json(app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/dns-sensor/config/versions")))
        .assertStatusCode(200).entityString());
    assertTrue(versions.size() >= 3);
  }

  @Test
  void config_that_is_not_a_json_object_answers_400() {
    assertCode("invalid-config", app().run(as(operator, HttpRequest.PUT("/api/v1/instruments/dns-sensor/config")
        .withEntity(ContentTypes.APPLICATION_JSON, "{\"level\": "))).assertStatusCode(400).entityString());
    app().run(as(operator, HttpRequest.PUT("/api/v1/instruments/dns-sensor/config")
        .withEntity(ContentTypes.APPLICATION_JSON, "[1, 2]"))).assertStatusCode(400);
  }

  @Test
  void a_viewer_cannot_set_config() {
    app().run(as(viewer, HttpRequest.PUT("/api/v1/instruments/dns-sensor/config")
        .withEntity(ContentTypes.APPLICATION_JSON, "{}"))).assertStatusCode(403);
  }

  @Test
  void an_operator_sets_the_retention_and_the_request_is_audited_first() {
    audited.clear();
    var set = json(app().run(as(operator, HttpRequest.PUT("/api/v1/instruments/dns-sensor/retention")
        .withEntity(ContentTypes.APPLICATION_JSON, "{\"retention\": \"7d\"}"))).assertStatusCode(200).entityString());
    assertEquals("PT168H", set.get("retention").asText());
    assertEquals(7 * 86400, set.get("retentionSeconds").asLong());
    assertEquals("PT168H", json(app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/dns-sensor/retention")))
        .assertStatusCode(200).entityString()).get("retention").asText());
    assertEquals("retention set requested", audited.get(0).action());
    assertEquals(Principal.user("ola"), audited.get(0).principal());
  }

  @Test
  void a_retention_out_of_bounds_or_unreadable_answers_400_naming_the_field() {
    for (String body : new String[] {"{\"retention\": \"0s\"}", "{\"retention\": \"4000d\"}",
        "{\"retention\": \"soon\"}", "{}"}) {
      var answer = json(app().run(as(operator, HttpRequest.PUT("/api/v1/instruments/dns-sensor/retention")
          .withEntity(ContentTypes.APPLICATION_JSON, body))).assertStatusCode(400).entityString());
      assertEquals("retention", answer.get("errors").get(0).get("path").asText(), body);
    }
  }

  @Test
  void a_viewer_cannot_set_the_retention_and_an_unknown_instrument_is_404() {
    app().run(as(viewer, HttpRequest.PUT("/api/v1/instruments/dns-sensor/retention")
        .withEntity(ContentTypes.APPLICATION_JSON, "{\"retention\": \"7d\"}"))).assertStatusCode(403);
    app().run(as(operator, HttpRequest.PUT("/api/v1/instruments/nobody/retention")
        .withEntity(ContentTypes.APPLICATION_JSON, "{\"retention\": \"7d\"}"))).assertStatusCode(404);
  }

  @Test
  void when_the_journal_cannot_be_written_a_change_answers_503_and_reaches_nothing() {
    int before = fleet.calls().size();
    journalDown = true;
    try {
      var answer = app().run(as(operator, HttpRequest.PUT("/api/v1/instruments/dns-sensor/retention")
          .withEntity(ContentTypes.APPLICATION_JSON, "{\"retention\": \"1d\"}"))).assertStatusCode(503);
      assertCode("journal-unavailable", answer.entityString());
      app().run(as(operator, HttpRequest.POST("/api/v1/instruments/dns-sensor/stop"))).assertStatusCode(503);
    } finally {
      journalDown = false;
    }
    assertEquals(before, fleet.calls().size());
    app().run(as(viewer, HttpRequest.GET("/api/v1/instruments/dns-sensor"))).assertStatusCode(200);
  }

  @Test
  void rollback_to_an_unknown_version_answers_404_and_a_bad_one_400() {
    app().run(as(operator, HttpRequest.POST("/api/v1/instruments/dns-sensor/config/rollback")
        .withEntity(ContentTypes.APPLICATION_JSON, "{\"version\": 99}"))).assertStatusCode(404);
    app().run(as(operator, HttpRequest.POST("/api/v1/instruments/dns-sensor/config/rollback")
        .withEntity(ContentTypes.APPLICATION_JSON, "{\"version\": 0}"))).assertStatusCode(400);
  }
}

package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Role;
import io.sensorfleet.core.permission.Grant;
import io.sensorfleet.core.permission.PermissionPolicy;
import io.sensorfleet.events.UserEvent;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BusRoutesTest extends ApiRouteTest {

  static final String POLICY = """
      {"version": 0, "grants": [
        {"subject": "rule-manager", "action": "send", "object": "dns-sensor"},
        {"subject": "passive-dns", "action": "subscribe", "object": "dns"}]}""";

  /** The class shares one API (and bus): each test starts from the empty policy and no events. */
  @BeforeEach
  void freshBus() {
    bus.state = new io.sensorfleet.actors.bus.PolicyStore.State(PermissionPolicy.empty(), 0, java.time.Instant.EPOCH);
    bus.changedBy.clear();
    bus.stored.clear();
    bus.live = List.of();
  }

  HttpRequest put(String body) {
    return HttpRequest.PUT("/api/v1/permissions").withEntity(ContentTypes.APPLICATION_JSON, body);
  }

  @Test
  void an_admin_replaces_the_policy_and_the_change_is_audited_first_with_the_admin() {
    var policy = json(app().run(as(login("admin"), put(POLICY))).assertStatusCode(200).entityString());
    assertEquals(1, policy.get("version").asLong());
    assertEquals("dns", policy.get("grants").get(0).get("object").asText());
    assertEquals(List.of(Principal.user("admin")), bus.changedBy);
    assertTrue(audited.stream().anyMatch(a -> a.action().equals("permissions change requested")
        && a.principal().equals(Principal.user("admin"))), audited.toString());
  }

  @Test
  void an_operator_and_a_viewer_read_the_policy_but_cannot_change_it() {
    user("olga", Role.OPERATOR);
    app().run(as(login("olga"), HttpRequest.GET("/api/v1/permissions"))).assertStatusCode(200);
    app().run(as(login("olga"), put(POLICY))).assertStatusCode(403);
    assertEquals(0, bus.state.version());
  }

  @Test
  void a_stale_version_is_a_conflict_and_changes_nothing() {
    app().run(as(login("admin"), put(POLICY))).assertStatusCode(200);
    app().run(as(login("admin"), put(POLICY))).assertStatusCode(409);
    assertEquals(1, bus.state.version());
  }

  @Test
  void invalid_grants_are_named_by_their_path() {
    var error = json(app().run(as(login("admin"), put("""
        {"grants": [{"subject": "ok-one", "action": "send", "object": "other"},
                    {"subject": "Bad Id", "action": "send", "object": "x"},
                    {"subject": "ok-two", "action": "shout", "object": "x"},
                    {"subject": "ok-three", "action": "send", "object": "*"}]}"""))).assertStatusCode(400)
        .entityString());
    var paths = new java.util.ArrayList<String>();
    error.get("errors").forEach(e -> paths.add(e.get("path").asText()));
    assertEquals(List.of("grants[1].subject", "grants[2].action", "grants[3].object"), paths);
    assertEquals(0, bus.state.version());
  }

  @Test
  void check_answers_with_the_policys_reason() {
    bus.state = new io.sensorfleet.actors.bus.PolicyStore.State(PermissionPolicy.of(
        Grant.send(InstrumentId.of("rule-manager"), InstrumentId.of("dns-sensor"))), 1, FakeFleet.T0);
    user("vera", Role.VIEWER);
    var allowed = json(app().run(as(login("vera"), HttpRequest.GET(
        "/api/v1/permissions/check?from=rule-manager&action=send&object=dns-sensor"))).assertStatusCode(200)
        .entityString());
    assertTrue(allowed.get("allowed").asBoolean());
    var denied = json(app().run(as(login("vera"), HttpRequest.GET(
        "/api/v1/permissions/check?from=dns-sensor&action=send&object=rule-manager"))).assertStatusCode(200)
        .entityString());
    assertFalse(denied.get("allowed").asBoolean());
    assertTrue(denied.get("reason").asText().contains("default deny"), denied.toString());
    app().run(as(login("vera"), HttpRequest.GET("/api/v1/permissions/check?from=x&action=fly&object=y")))
        .assertStatusCode(400);
  }

  @Test
  void stored_events_are_filtered_by_topic_and_paged_newest_first_with_raw_payloads() {
    for (int i = 1; i <= 3; i++) {
      bus.stored.add(new UserEvent(i, "alerts.dns", InstrumentId.of("dns-sensor"), FakeFleet.T0,
          "{\"n\":" + i + "}"));
    }
    bus.stored.add(new UserEvent(4, "alerts.other", InstrumentId.of("ids"), FakeFleet.T0, "[1]"));
    user("vince", Role.VIEWER);
    var page = json(app().run(as(login("vince"), HttpRequest.GET("/api/v1/events?topic=alerts.dns&limit=2")))
        .assertStatusCode(200).entityString());
    assertEquals(2, page.get("events").size());
    assertEquals(3, page.get("events").get(0).get("payload").get("n").asInt());
    assertEquals(2, page.get("nextBefore").asLong());
    var rest = json(app().run(as(login("vince"), HttpRequest.GET("/api/v1/events?topic=alerts.dns&before=2")))
        .assertStatusCode(200).entityString());
    assertEquals(1, rest.get("events").size());
    assertTrue(rest.get("nextBefore").isNull());
    app().run(as(login("vince"), HttpRequest.GET("/api/v1/events?limit=0"))).assertStatusCode(400);
    app().run(as(login("vince"), HttpRequest.GET("/api/v1/events?colour=red"))).assertStatusCode(400);
  }

  @Test
  void the_live_stream_is_server_sent_events_of_the_asked_topic() {
    bus.live = List.of(
        new UserEvent(7, "alerts.dns", InstrumentId.of("dns-sensor"), FakeFleet.T0, "{\"q\":\"bad.test\"}"),
        new UserEvent(8, "alerts.other", InstrumentId.of("ids"), FakeFleet.T0, "{}"));
    user("viola", Role.VIEWER);
    var response = app().run(as(login("viola"), HttpRequest.GET("/api/v1/events/stream?topic=alerts.dns")))
        .assertStatusCode(200);
    assertEquals("text/event-stream", response.response().entity().getContentType().mediaType().toString());
    String body = response.entityString();
    assertTrue(body.contains("event:alerts.dns") && body.contains("id:7") && body.contains("bad.test"), body);
    assertFalse(body.contains("alerts.other"), body);
  }

  @Test
  void events_and_permissions_need_a_login() {
    app().run(HttpRequest.GET("/api/v1/events")).assertStatusCode(401);
    app().run(HttpRequest.GET("/api/v1/permissions")).assertStatusCode(401);
  }
}

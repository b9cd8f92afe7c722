package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Operation;
import io.sensorfleet.core.access.Role;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.junit.jupiter.api.Test;

/**
 * The per-Instrument UI check as the reverse proxy will use it ({@code access.require(new OpenUi(id), ...)}): the
 * grant decides below admin, and a denied request that changes nothing is not audited.
 */
class AccessTest extends ApiRouteTest {

  static final InstrumentId IDS = InstrumentId.of("ids");

  private TestRoute ui() {
    return testRoute(access.require(new Operation.OpenUi(IDS), caller -> complete("ui of ids for "
        + caller.user().name())));
  }

  @Test
  void a_granted_viewer_reaches_the_ui() {
    user("gia", Role.VIEWER, IDS);
    ui().run(as(login("gia"), HttpRequest.GET("/"))).assertStatusCode(200).assertEntity("ui of ids for gia");
  }

  @Test
  void an_operator_without_the_grant_does_not() {
    user("oz", Role.OPERATOR, InstrumentId.of("dns"));
    int before = audited.size();
    ui().run(as(login("oz"), HttpRequest.GET("/"))).assertStatusCode(403);
    assertEquals(before + 1, audited.size(), "only the login was recorded: a read refused is not audited");
  }

  @Test
  void an_admin_reaches_every_ui() {
    ui().run(as(login("admin"), HttpRequest.GET("/"))).assertStatusCode(200);
  }

  @Test
  void nobody_logged_in_gets_401() {
    ui().run(HttpRequest.GET("/")).assertStatusCode(401);
  }
}

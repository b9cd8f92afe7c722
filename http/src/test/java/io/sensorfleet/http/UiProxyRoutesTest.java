package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.user.UserDirectory;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Role;
import io.sensorfleet.http.auth.Caller;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

class UiProxyRoutesTest extends ApiRouteTest {

  static final InstrumentId PDNS = InstrumentId.of("passive-dns");

  @Test
  void a_user_without_the_grant_is_refused_and_one_with_it_gets_through_to_the_instrument() {
    user("una", Role.OPERATOR);
    user("gus", Role.VIEWER, PDNS);
    app().run(as(login("una"), HttpRequest.GET("/instruments/passive-dns/ui/"))).assertStatusCode(403);
    // Allowed: the proxy then looks for the Instrument's UI socket, which this test has none of.
    app().run(as(login("gus"), HttpRequest.GET("/instruments/passive-dns/ui/"))).assertStatusCode(503);
    app().run(as(login("admin"), HttpRequest.GET("/instruments/passive-dns/ui/search?q=x"))).assertStatusCode(503);
  }

  @Test
  void the_ui_needs_a_login() {
    app().run(HttpRequest.GET("/instruments/passive-dns/ui/")).assertStatusCode(401);
  }

  @Test
  void credentials_hop_by_hop_and_spoofed_identity_headers_never_reach_the_instrument() {
    var caller = new Caller(new UserDirectory.User("gus", "hash", Role.VIEWER, Set.of(PDNS), Instant.EPOCH,
        Instant.EPOCH), "token");
    List<HttpHeader> in = List.of(RawHeader.create("Cookie", "sf_session=secret"),
        RawHeader.create("Authorization", "Bearer secret"), RawHeader.create("X-SensorFleet-User", "admin"),
        RawHeader.create("Connection", "keep-alive"), RawHeader.create("Accept", "text/html"));
    List<String> out = UiProxyRoutes.forwardedHeaders(in, caller, PDNS).stream()
        .map(h -> h.name() + ": " + h.value()).toList();
    assertEquals(List.of("Accept: text/html", "X-SensorFleet-User: gus", "X-SensorFleet-Role: viewer",
        "X-Forwarded-Prefix: /instruments/passive-dns/ui"), out);
  }

  @Test
  void the_instruments_cookies_and_policy_are_replaced_by_our_sandbox() {
    HttpResponse from = HttpResponse.create().addHeaders(List.of(RawHeader.create("Set-Cookie", "sf_session=evil"),
        RawHeader.create("Content-Security-Policy", "default-src *"), RawHeader.create("X-Page", "1")));
    var headers = UiProxyRoutes.sandboxed(from).getHeaders();
    List<String> names = new java.util.ArrayList<>();
    headers.forEach(h -> names.add(h.lowercaseName()));
    assertFalse(names.contains("set-cookie"), names.toString());
    assertTrue(names.contains("x-page"), names.toString());
    String csp = from.getHeaders().iterator().hasNext()
        ? UiProxyRoutes.sandboxed(from).getHeader("Content-Security-Policy").orElseThrow().value() : "";
    assertEquals(UiProxyRoutes.CSP, csp);
    assertFalse(csp.contains("allow-same-origin"));
  }
}

package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Role;
import io.sensorfleet.core.access.UiSignature;
import io.sensorfleet.sdk.UiIdentityVerifier;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UiProxyRoutesTest extends ApiRouteTest {

  static final InstrumentId PDNS = InstrumentId.of("passive-dns");
  static final InstrumentId UI = InstrumentId.of("ui-fake");

  FakeInstrumentUi fakeUi;
  ServerBinding binding;

  /** A UI behind {@code <uiRoot>/ui/ui-fake.sock} that checks signatures, and the whole API on a real port. */
  @BeforeAll
  void startFakeUi() throws Exception {
    var verifier = UiIdentityVerifier.of(uiKeys.keyFor(UI), UI, Duration.ofSeconds(60), clock);
    fakeUi = FakeInstrumentUi.start(kit.system(), io.sensorfleet.actors.instrument.Instrument.uiSocket(uiRoot, UI),
        verifier);
    binding = Http.get(kit.system()).newServerAt("127.0.0.1", 0).bind(route()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  void stopFakeUi() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    fakeUi.close();
  }

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
  void a_revoked_grant_takes_effect_on_the_very_next_request() {
    user("rex", Role.VIEWER, UI);
    String rex = login("rex");
    // Twice: the second answer comes from the user cache (UserCache), which the revocation must not outlive.
    app().run(as(rex, HttpRequest.GET("/instruments/ui-fake/ui/whoami"))).assertStatusCode(200);
    app().run(as(rex, HttpRequest.GET("/instruments/ui-fake/ui/whoami"))).assertStatusCode(200);
    changeUser("rex", "{\"uiGrants\":[]}");
    app().run(as(rex, HttpRequest.GET("/instruments/ui-fake/ui/whoami"))).assertStatusCode(403);
  }

  @Test
  void an_admin_demoted_to_viewer_loses_the_ui_on_the_very_next_request() {
    user("ada", Role.ADMIN);
    String ada = login("ada");
    app().run(as(ada, HttpRequest.GET("/instruments/ui-fake/ui/whoami"))).assertStatusCode(200);
    changeUser("ada", "{\"role\":\"viewer\"}");
    app().run(as(ada, HttpRequest.GET("/instruments/ui-fake/ui/whoami"))).assertStatusCode(403);
  }

  @Test
  void a_deleted_user_is_refused_on_the_very_next_request() {
    user("del", Role.VIEWER, UI);
    String del = login("del");
    app().run(as(del, HttpRequest.GET("/instruments/ui-fake/ui/whoami"))).assertStatusCode(200);
    users.delete("del", io.sensorfleet.audit.Principal.user("admin")).toCompletableFuture().join();
    app().run(as(del, HttpRequest.GET("/instruments/ui-fake/ui/whoami"))).assertStatusCode(401);
  }

  /** An admin's PATCH of {@code name} through the API, as an operator would change a user. */
  private void changeUser(String name, String json) {
    app().run(as(login("admin"), HttpRequest.PATCH("/api/v1/users/" + name).withEntity(
        org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON, json))).assertStatusCode(200);
  }

  @Test
  void the_ui_needs_a_login() {
    app().run(HttpRequest.GET("/instruments/passive-dns/ui/")).assertStatusCode(401);
  }

  @Test
  void credentials_hop_by_hop_and_spoofed_identity_headers_never_reach_the_instrument() {
    List<HttpHeader> in = List.of(RawHeader.create("Cookie", "sf_session=secret"),
        RawHeader.create("Authorization", "Bearer secret"), RawHeader.create("X-SensorFleet-User", "admin"),
        RawHeader.create("X-SensorFleet-Signature", "v1=forged"),
        RawHeader.create("Connection", "keep-alive"), RawHeader.create("Accept", "text/html"));
    var identity = new UiSignature("gus", "viewer", PDNS, "GET", "/", Instant.ofEpochSecond(1000));
    byte[] key = new byte[UiSignature.KEY_BYTES];
    List<String> out = UiProxyRoutes.forwardedHeaders(in, identity, key).stream()
        .map(h -> h.name() + ": " + h.value()).toList();
    assertEquals(List.of("Accept: text/html", "X-SensorFleet-User: gus", "X-SensorFleet-Role: viewer",
        "X-SensorFleet-Instrument: passive-dns", "X-SensorFleet-Timestamp: 1000",
        "X-SensorFleet-Signature: " + identity.sign(key), "X-Forwarded-Prefix: /instruments/passive-dns/ui"), out);
  }

  @Test
  void the_instrument_verifies_the_signed_identity_of_the_caller() {
    user("sigrid", Role.VIEWER, UI);
    var response = app().run(as(login("sigrid"), HttpRequest.GET("/instruments/ui-fake/ui/whoami/a%20b?q=x%2Fy&z")));
    response.assertStatusCode(200);
    assertEquals("sigrid viewer", response.entityString());
  }

  @Test
  void a_spoofed_identity_is_replaced_and_the_instrument_sees_the_real_caller() {
    user("sven", Role.VIEWER, UI);
    var response = app().run(as(login("sven"), HttpRequest.GET("/instruments/ui-fake/ui/whoami")
        .addHeader(RawHeader.create("X-SensorFleet-User", "admin"))
        .addHeader(RawHeader.create("X-SensorFleet-Role", "admin"))));
    response.assertStatusCode(200);
    assertEquals("sven viewer", response.entityString());
  }

  @Test
  void an_instrument_that_does_not_answer_gets_a_502() throws Exception {
    InstrumentId dead = InstrumentId.of("ui-dead");
    Path socket = io.sensorfleet.actors.instrument.Instrument.uiSocket(uiRoot, dead);
    Files.createDirectories(socket.getParent());
    try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
    }
    var response = app().run(as(login("admin"), HttpRequest.GET("/instruments/ui-dead/ui/")));
    response.assertStatusCode(502);
    assertCode("bad-gateway", response.entityString());
  }

  @Test
  void a_page_load_whose_audit_cannot_be_written_is_refused_with_503_and_not_forwarded() {
    String admin = login("admin");
    int before = fakeUi.requests();
    journalDown = true;
    try {
      var refused = app().run(as(admin, HttpRequest.GET("/instruments/ui-fake/ui/whoami")
          .addHeader(RawHeader.create("Accept", "text/html"))));
      refused.assertStatusCode(503);
      assertCode("journal-unavailable", refused.entityString());
    } finally {
      journalDown = false;
    }
    assertEquals(before, fakeUi.requests());
  }

  @Test
  void a_websocket_reaches_the_instruments_ui_and_echoes_both_ways() throws Exception {
    user("wanda", Role.VIEWER, UI);
    audited.clear();
    var received = new CompletableFuture<String>();
    var socket = websocket(login("wanda"), "echo?token=ui-secret", new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        received.complete(data.toString());
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
    socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
    assertEquals("wanda: hello", received.get(10, TimeUnit.SECONDS));
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    assertTrue(audited.stream().anyMatch(a -> a.action().equals("ui websocket opened")
        && a.principal().equals(io.sensorfleet.audit.Principal.user("wanda"))), audited.toString());
    assertFalse(audited.toString().contains("ui-secret"), audited.toString());
  }

  @Test
  void a_websocket_the_instrument_refuses_is_refused_with_its_status() {
    var failure = assertThrows(ExecutionException.class,
        () -> websocket(login("admin"), "no-ws", new WebSocket.Listener() {}).get(10, TimeUnit.SECONDS));
    var handshake = assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
    assertEquals(403, handshake.getResponse().statusCode());
  }

  @Test
  void a_websocket_needs_the_ui_grant() {
    user("wes", Role.OPERATOR);
    var failure = assertThrows(ExecutionException.class,
        () -> websocket(login("wes"), "echo", new WebSocket.Listener() {}).get(10, TimeUnit.SECONDS));
    var handshake = assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
    assertEquals(403, handshake.getResponse().statusCode());
  }

  private CompletableFuture<WebSocket> websocket(String token, String path, WebSocket.Listener listener) {
    int port = binding.localAddress().getPort();
    return HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + token)
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/instruments/ui-fake/ui/" + path), listener);
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

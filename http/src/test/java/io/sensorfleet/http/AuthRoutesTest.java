package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.core.access.Role;
import java.net.InetAddress;
import java.time.Duration;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.Cookie;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.junit.jupiter.api.Test;

class AuthRoutesTest extends ApiRouteTest {

  /** From an address of this user's own, so tests do not share a source's throttle. */
  private HttpRequest loginRequest(String user, String password) {
    return loginRequest(user, password, "192.0.2." + (Math.abs(user.hashCode() % 250) + 1));
  }

  private HttpRequest loginRequest(String user, String password, String source) {
    try {
      return HttpRequest.POST("/api/v1/login").withEntity(ContentTypes.APPLICATION_JSON,
              "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}")
          .addAttribute(AttributeKeys.remoteAddress, RemoteAddress.create(InetAddress.getByName(source)));
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private AuditRequest lastAudit() {
    return audited.getLast();
  }

  @Test
  void a_login_answers_a_token_and_sets_an_http_only_strict_cookie() {
    user("ann", Role.VIEWER);
    var response = app().run(loginRequest("ann", "ann-password-1")).assertStatusCode(200);
    assertEquals("viewer", json(response.entityString()).get("user").get("role").asText());
    var cookie = response.header(SetCookie.class).cookie();
    assertEquals("sf_session", cookie.name());
    assertEquals(json(response.entityString()).get("token").asText(), cookie.value());
    assertTrue(cookie.httpOnly());
    assertTrue(cookie.getSameSite().isPresent() && cookie.getSameSite().get().name().equals("Strict"));
    assertEquals("login", lastAudit().action());
    assertEquals("user:ann", lastAudit().principal().toString());
  }

  @Test
  void the_token_works_as_bearer_and_the_cookie_works_for_browsers() {
    user("ben", Role.VIEWER);
    String token = login("ben");
    app().run(as(token, HttpRequest.GET("/api/v1/session"))).assertStatusCode(200);
    app().run(HttpRequest.GET("/api/v1/session").addHeader(Cookie.create("sf_session", token)))
        .assertStatusCode(200);
  }

  @Test
  void no_credentials_answer_401_with_a_bearer_challenge() {
    var response = app().run(HttpRequest.GET("/api/v1/instruments")).assertStatusCode(401);
    assertCode("unauthenticated", response.entityString());
    response.assertHeaderExists("WWW-Authenticate", "Bearer realm=\"sensorfleet\"");
  }

  @Test
  void an_unknown_token_answers_401() {
    app().run(as("not-a-token", HttpRequest.GET("/api/v1/instruments"))).assertStatusCode(401);
  }

  @Test
  void a_wrong_password_answers_401_and_is_audited_without_the_password() {
    user("cat", Role.VIEWER);
    var response = app().run(loginRequest("cat", "guess-guess-1")).assertStatusCode(401);
    assertCode("invalid-credentials", response.entityString());
    assertEquals("login failed", lastAudit().action());
    assertEquals(Outcome.DENIED, lastAudit().outcome());
    assertEquals("user:cat", lastAudit().principal().toString());
    assertTrue(audited.stream().noneMatch(a -> a.detail().contains("guess") || a.target().contains("guess")));
  }

  @Test
  void an_unknown_user_name_is_not_recorded_as_it_may_be_a_password() {
    app().run(loginRequest("Secret-Typed-In-Name", "whatever-123")).assertStatusCode(401);
    assertEquals("user:(unknown)", lastAudit().principal().toString());
    assertTrue(audited.stream().noneMatch(a -> a.detail().contains("Secret-Typed")));
  }

  @Test
  void failed_logins_are_throttled_per_user_even_with_the_right_password_then_allowed_after_the_window() {
    user("dan", Role.VIEWER);
    for (int i = 0; i < 3; i++) {
      app().run(loginRequest("dan", "wrong-password-" + i)).assertStatusCode(401);
    }
    var throttled = app().run(loginRequest("dan", "dan-password-1")).assertStatusCode(429);
    assertCode("too-many-attempts", throttled.entityString());
    throttled.assertHeaderKindExists("Retry-After");
    assertEquals("login throttled", lastAudit().action());
    clock.advance(Duration.ofMinutes(16));
    app().run(loginRequest("dan", "dan-password-1")).assertStatusCode(200);
  }

  @Test
  void failed_logins_are_throttled_per_source_across_user_names_whatever_x_forwarded_for_says() {
    for (int i = 0; i < 6; i++) {
      app().run(loginRequest("nobody-" + i, "wrong-password-1", "198.51.100.7")
          .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("X-Forwarded-For", "10.0.0." + i)))
          .assertStatusCode(401);
    }
    user("zed", Role.VIEWER);
    app().run(loginRequest("zed", "zed-password-1", "198.51.100.7")).assertStatusCode(429);
    app().run(loginRequest("zed", "zed-password-1", "198.51.100.8")).assertStatusCode(200);
  }

  @Test
  void a_malformed_login_body_is_a_400_that_does_not_quote_it() {
    var response = app().run(HttpRequest.POST("/api/v1/login").withEntity(ContentTypes.APPLICATION_JSON,
        "{\"username\":\"eve\",\"password\":\"hunter2-secret\"")).assertStatusCode(400);
    assertFalse(response.entityString().contains("hunter2"));
  }

  @Test
  void logout_ends_the_session() {
    user("fay", Role.VIEWER);
    String token = login("fay");
    app().run(as(token, HttpRequest.POST("/api/v1/logout"))).assertStatusCode(204);
    app().run(as(token, HttpRequest.GET("/api/v1/session"))).assertStatusCode(401);
    assertEquals("logout", lastAudit().action());
  }

  @Test
  void a_user_changes_their_own_password_with_the_current_one_and_logs_in_again() {
    user("ray", Role.VIEWER);
    String token = login("ray");
    app().run(as(token, HttpRequest.POST("/api/v1/session/password").withEntity(ContentTypes.APPLICATION_JSON,
        "{\"current\":\"not-my-password\",\"password\":\"ray-password-2\"}"))).assertStatusCode(403);
    assertEquals("password change refused", lastAudit().action());
    app().run(as(token, HttpRequest.POST("/api/v1/session/password").withEntity(ContentTypes.APPLICATION_JSON,
        "{\"current\":\"ray-password-1\",\"password\":\"ray-password-2\"}"))).assertStatusCode(204);
    app().run(as(token, HttpRequest.GET("/api/v1/session"))).assertStatusCode(401);
    app().run(loginRequest("ray", "ray-password-1")).assertStatusCode(401);
    app().run(loginRequest("ray", "ray-password-2")).assertStatusCode(200);
    assertTrue(audited.stream().noneMatch(a -> a.detail().contains("ray-password")));
  }

  @Test
  void a_session_ends_after_the_idle_time() {
    user("gus", Role.VIEWER);
    String token = login("gus");
    clock.advance(Duration.ofMinutes(31));
    app().run(as(token, HttpRequest.GET("/api/v1/session"))).assertStatusCode(401);
  }

  @Test
  void a_role_change_applies_to_the_next_request_of_a_logged_in_user() {
    user("hal", Role.OPERATOR);
    String token = login("hal");
    users.update("hal", java.util.Optional.of(Role.VIEWER), java.util.Optional.empty(),
        io.sensorfleet.audit.Principal.user("admin")).toCompletableFuture().join();
    app().run(as(token, HttpRequest.POST("/api/v1/instruments/ids/start"))).assertStatusCode(403);
  }
}

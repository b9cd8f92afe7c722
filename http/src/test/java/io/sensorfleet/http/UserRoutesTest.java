package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sensorfleet.core.access.Role;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UserRoutesTest extends ApiRouteTest {

  String admin;

  @BeforeAll
  void logInAdmin() {
    admin = login("admin");
  }

  private HttpRequest create(String body) {
    return as(admin, HttpRequest.POST("/api/v1/users").withEntity(ContentTypes.APPLICATION_JSON, body));
  }

  @Test
  void the_first_admin_logs_in_with_the_first_start_password() {
    assertEquals("admin", json(app().run(as(admin, HttpRequest.GET("/api/v1/session"))).entityString())
        .get("role").asText());
  }

  @Test
  void an_admin_creates_a_user_who_can_then_log_in() {
    var created = app().run(create(
        "{\"username\":\"kim\",\"password\":\"kim-password-1\",\"role\":\"operator\",\"uiGrants\":[\"ids\"]}"))
        .assertStatusCode(201);
    created.assertHeaderExists("Location", "/api/v1/users/kim");
    var user = json(created.entityString());
    assertEquals("operator", user.get("role").asText());
    assertEquals("ids", user.get("uiGrants").get(0).asText());
    assertTrue(login("kim").length() > 20);
    assertTrue(audited.stream().anyMatch(a -> a.action().equals("user created") && a.target().equals("user:kim")
        && a.principal().toString().equals("user:admin")));
  }

  @Test
  void a_short_password_or_unknown_role_answers_400_with_the_field() {
    var body = json(app().run(create("{\"username\":\"lee\",\"password\":\"short\",\"role\":\"viewer\"}"))
        .assertStatusCode(400).entityString());
    assertEquals("password", body.get("errors").get(0).get("path").asText());
    var role = json(app().run(create("{\"username\":\"lee\",\"password\":\"lee-password-1\",\"role\":\"root\"}"))
        .assertStatusCode(400).entityString());
    assertEquals("role", role.get("errors").get(0).get("path").asText());
  }

  @Test
  void a_misspelt_field_answers_400_rather_than_changing_nothing() {
    user("quin", Role.VIEWER);
    assertCode("invalid-body", app().run(as(admin, HttpRequest.PATCH("/api/v1/users/quin").withEntity(
        ContentTypes.APPLICATION_JSON, "{\"rol\":\"admin\"}"))).assertStatusCode(400).entityString());
  }

  @Test
  void a_taken_name_answers_409() {
    app().run(create("{\"username\":\"max\",\"password\":\"max-password-1\",\"role\":\"viewer\"}"))
        .assertStatusCode(201);
    app().run(create("{\"username\":\"max\",\"password\":\"max-password-1\",\"role\":\"viewer\"}"))
        .assertStatusCode(409);
  }

  @Test
  void only_admins_manage_users() {
    user("ned", Role.OPERATOR);
    String ned = login("ned");
    app().run(as(ned, HttpRequest.GET("/api/v1/users"))).assertStatusCode(403);
    app().run(as(ned, HttpRequest.POST("/api/v1/users").withEntity(ContentTypes.APPLICATION_JSON,
        "{\"username\":\"x\",\"password\":\"x-password-123\",\"role\":\"admin\"}"))).assertStatusCode(403);
    assertEquals("access denied", audited.getLast().action());
  }

  @Test
  void an_admin_changes_a_role_and_a_new_password_ends_the_users_sessions() {
    user("oli", Role.VIEWER);
    String oli = login("oli");
    var changed = json(app().run(as(admin, HttpRequest.PATCH("/api/v1/users/oli").withEntity(
        ContentTypes.APPLICATION_JSON, "{\"role\":\"operator\"}"))).assertStatusCode(200).entityString());
    assertEquals("operator", changed.get("role").asText());
    app().run(as(oli, HttpRequest.GET("/api/v1/session"))).assertStatusCode(200);
    app().run(as(admin, HttpRequest.PATCH("/api/v1/users/oli").withEntity(ContentTypes.APPLICATION_JSON,
        "{\"password\":\"a-new-password-2\"}"))).assertStatusCode(200);
    app().run(as(oli, HttpRequest.GET("/api/v1/session"))).assertStatusCode(401);
    assertTrue(audited.stream().noneMatch(a -> a.detail().contains("a-new-password")));
  }

  @Test
  void deleting_a_user_ends_its_sessions_and_unknown_users_are_404() {
    user("pam", Role.VIEWER);
    String pam = login("pam");
    app().run(as(admin, HttpRequest.DELETE("/api/v1/users/pam"))).assertStatusCode(204);
    app().run(as(pam, HttpRequest.GET("/api/v1/session"))).assertStatusCode(401);
    app().run(as(admin, HttpRequest.GET("/api/v1/users/pam"))).assertStatusCode(404);
    app().run(as(admin, HttpRequest.DELETE("/api/v1/users/pam"))).assertStatusCode(404);
  }

  @Test
  void the_last_admin_cannot_be_deleted() {
    assertCode("conflict", app().run(as(admin, HttpRequest.DELETE("/api/v1/users/admin"))).assertStatusCode(409)
        .entityString());
  }

  @Test
  void listed_users_carry_no_hash() {
    String body = app().run(as(admin, HttpRequest.GET("/api/v1/users"))).assertStatusCode(200).entityString();
    assertTrue(body.contains("\"admin\""));
    assertTrue(!body.contains("argon2"), body);
  }

  @Test
  void a_user_change_is_recorded_first_and_refused_whole_when_the_journal_cannot_be_written() {
    String admin = login("admin");
    audited.clear();
    journalDown = true;
    try {
      var refused = app().run(as(admin, HttpRequest.POST("/api/v1/users").withEntity(ContentTypes.APPLICATION_JSON,
          "{\"username\":\"jon\",\"password\":\"jon-password-1\",\"role\":\"viewer\"}")));
      refused.assertStatusCode(503);
    } finally {
      journalDown = false;
    }
    app().run(as(admin, HttpRequest.GET("/api/v1/users/jon"))).assertStatusCode(404);
    app().run(as(admin, HttpRequest.POST("/api/v1/users").withEntity(ContentTypes.APPLICATION_JSON,
        "{\"username\":\"jon\",\"password\":\"jon-password-1\",\"role\":\"viewer\"}"))).assertStatusCode(201);
    var first = audited.stream().filter(a -> a.action().startsWith("user create")).findFirst().orElseThrow();
    assertEquals("user create requested", first.action());
    assertFalse(audited.toString().contains("jon-password-1"), audited.toString());
  }
}

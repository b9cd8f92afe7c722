package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sensorfleet.core.access.Role;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.Test;

/** What every resource shares: the public health endpoint, and one error shape for every failure. */
class FleetApiTest extends ApiRouteTest {

  @Test
  void health_is_public_and_reports_ok_with_name_and_uptime() {
    clock.advance(Duration.ofSeconds(42));
    var body = json(app().run(HttpRequest.GET("/api/v1/health")).assertStatusCode(200).entityString());
    assertEquals("ok", body.get("status").asText());
    assertEquals("sensor-t", body.get("sensor").asText());
    assertEquals(42, body.get("uptimeSeconds").asLong());
  }

  @Test
  void health_answers_503_when_the_guardian_does_not_answer_in_time() {
    var saved = health;
    health = () -> CompletableFuture.failedFuture(new TimeoutException("ask timed out"));
    try {
      assertCode("unavailable", app().run(HttpRequest.GET("/api/v1/health")).assertStatusCode(503).entityString());
    } finally {
      health = saved;
    }
  }

  @Test
  void unknown_paths_answer_404_as_an_api_error() {
    assertCode("not-found", app().run(HttpRequest.GET("/api/v1/nope")).assertStatusCode(404).entityString());
  }

  @Test
  void a_failing_query_answers_500_without_leaking_the_cause() {
    user("ivy", Role.VIEWER);
    var saved = auditPages;
    auditPages = f -> CompletableFuture.failedFuture(new IllegalStateException("db password=x"));
    try {
      String body = app().run(as(login("ivy"), HttpRequest.GET("/api/v1/audit"))).assertStatusCode(500)
          .entityString();
      assertCode("internal", body);
      assertFalse(body.contains("password"));
    } finally {
      auditPages = saved;
    }
  }

  @Test
  void a_body_above_the_configured_limit_answers_413() {
    user("jon", Role.OPERATOR);
    String big = "{\"x\":\"" + "a".repeat(5_000) + "\"}";
    var response = app().run(as(login("jon"), HttpRequest.PUT("/api/v1/instruments/ids/config")
        .withEntity(ContentTypes.APPLICATION_JSON, big)));
    response.assertStatusCode(413);
    assertCode("payload-too-large", response.entityString());
  }

  @Test
  void the_openapi_document_is_public_yaml() {
    var response = app().run(HttpRequest.GET("/api/v1/openapi.yaml")).assertStatusCode(200);
    assertEquals("yaml", response.entity().getContentType().mediaType().subType());
  }

  @Test
  void a_templates_path_matches_as_the_path_directives_do_with_a_slash_or_percent_encoding_and_nothing_else() {
    app().run(HttpRequest.GET("/api/v1/health/")).assertStatusCode(200);
    app().run(HttpRequest.GET("/api/v1/%68ealth")).assertStatusCode(200);
    app().run(HttpRequest.GET("/api/v1/healthx")).assertStatusCode(404);
    app().run(HttpRequest.GET("/api/v1/health/x")).assertStatusCode(404);
    app().run(HttpRequest.GET("/api/v1/health//")).assertStatusCode(404);
    // The path fits, the method does not: still the method's rejection, not a 404.
    app().run(HttpRequest.DELETE("/api/v1/health")).assertStatusCode(405);
  }
}

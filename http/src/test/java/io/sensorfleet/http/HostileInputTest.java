package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.core.manifest.ManifestParser;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whatever an admin (who passes every check) sends to any operation, the answer is a client error or a success in
 * our error shape, never a 500: bodies of the wrong shape, type, encoding or nesting, and odd path segments.
 */
class HostileInputTest extends ApiRouteTest {

  static final List<String> BODIES = List.of("", "null", "[]", "{}", "\"text\"", "42", "{\"a\":", "{{{{",
      "{\"username\":null,\"password\":null,\"role\":null}", "{\"version\":\"one\"}", "{\"version\":-5}",
      "{\"role\":\"admin\",\"uiGrants\":[\"../etc\"]}", "{\"uiGrants\":\"ids\"}", "id: x\nimage: [\n",
      "a: &a [*a]", "[".repeat(5_000) + "]".repeat(5_000), "{\"x\":\"\u0000\"}");
  static final List<String> IDS = List.of("ids", "dns-sensor", "%2e%2e", "A", "x".repeat(300), "-", "%00");

  String admin;

  @BeforeAll
  void setUp() {
    fleet.with(ManifestParser.parseOrThrow("id: dns-sensor\nimage: sensorfleet/base\n"), Actual.RUNNING);
    admin = login("admin");
  }

  @Test
  void no_body_on_any_operation_gets_a_500() {
    for (String operation : api.operations()) {
      String[] parts = operation.split(" ");
      if (parts[0].equals("get") || parts[1].endsWith("/logout") || parts[1].endsWith("/session/password")) {
        continue;  // no body to read; a logout or password change would end this test's session
      }
      String path = parts[1].replace("{id}", "dns-sensor").replace("{name}", "admin");
      for (String body : BODIES) {
        for (var type : List.of(ContentTypes.APPLICATION_JSON, ContentTypes.TEXT_PLAIN_UTF8)) {
          var response = app().run(as(admin, HttpRequest.create(path)
              .withMethod(Map.of("post", HttpMethods.POST, "put", HttpMethods.PUT, "patch", HttpMethods.PATCH,
                  "delete", HttpMethods.DELETE).get(parts[0]))
              .withEntity(HttpEntities.create(type, body))));
          assertTrue(response.statusCode() < 500, operation + " with " + abbreviate(body) + ": "
              + response.statusCode() + " " + response.entityString());
          assertTrue(response.entityString().isEmpty() || response.entityString().startsWith("{")
              || response.entityString().startsWith("["), operation + ": " + response.entityString());
        }
      }
    }
  }

  @Test
  void no_odd_id_in_a_path_gets_a_500() {
    for (String operation : api.operations()) {
      if (!operation.startsWith("get ") || !operation.contains("{")) {
        continue;
      }
      for (String id : IDS) {
        String path = operation.substring(4).replace("{id}", id).replace("{name}", id);
        var response = app().run(as(admin, HttpRequest.GET(path)));
        assertTrue(response.statusCode() < 500, path + ": " + response.statusCode() + " " + response.entityString());
      }
    }
  }

  private static String abbreviate(String body) {
    return body.length() > 40 ? body.substring(0, 40) + "…" : body;
  }
}

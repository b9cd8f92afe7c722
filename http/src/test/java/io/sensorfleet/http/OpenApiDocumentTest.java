package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.Test;

/**
 * {@code openapi.yaml} and the routes describe the same API: the same operations both ways, each documented
 * operation really answered by the routes at that path, and every other method on a documented path refused (405).
 */
class OpenApiDocumentTest extends ApiRouteTest {

  static final Map<String, HttpMethod> METHODS = Map.of("get", HttpMethods.GET, "post", HttpMethods.POST,
      "put", HttpMethods.PUT, "patch", HttpMethods.PATCH, "delete", HttpMethods.DELETE);
  /** Answer without a login; everything else must answer 401 without one. */
  static final Set<String> PUBLIC = Set.of("get /api/v1/health", "get /api/v1/openapi.yaml", "post /api/v1/login",
      "get /metrics");

  private JsonNode document() throws Exception {
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(OpenApiRoutes.RESOURCE)) {
      return new YAMLMapper().readTree(in);
    }
  }

  private SortedSet<String> documented() throws Exception {
    SortedSet<String> operations = new TreeSet<>();
    document().get("paths").properties().forEach(path -> path.getValue().fieldNames().forEachRemaining(method -> {
      if (METHODS.containsKey(method)) {
        operations.add(method + " " + path.getKey());
      }
    }));
    return operations;
  }

  private static String concrete(String template) {
    return template.replace("{id}", "ids").replace("{name}", "someone");
  }

  @Test
  void every_route_is_documented_and_every_documented_operation_is_a_route() throws Exception {
    assertEquals(documented(), api.operations());
  }

  @Test
  void every_documented_operation_is_answered_at_its_path() throws Exception {
    for (String operation : documented()) {
      String[] parts = operation.split(" ");
      var response = app().run(HttpRequest.create(concrete(parts[1])).withMethod(METHODS.get(parts[0])));
      if (PUBLIC.contains(operation)) {
        assertNotEquals(404, response.statusCode(), operation);
        assertNotEquals(405, response.statusCode(), operation);
        assertNotEquals(401, response.statusCode(), operation);
      } else {
        assertEquals(401, response.statusCode(), operation + " without a login: " + response.entityString());
      }
    }
  }

  @Test
  void other_methods_on_documented_paths_are_refused() throws Exception {
    SortedSet<String> documented = documented();
    for (String path : documented.stream().map(o -> o.split(" ")[1]).distinct().toList()) {
      for (String method : List.of("get", "post", "put", "patch", "delete")) {
        if (!documented.contains(method + " " + path)) {
          var response = app().run(HttpRequest.create(concrete(path)).withMethod(METHODS.get(method)));
          assertEquals(405, response.statusCode(), method.toUpperCase(Locale.ROOT) + " " + path);
        }
      }
    }
  }
}

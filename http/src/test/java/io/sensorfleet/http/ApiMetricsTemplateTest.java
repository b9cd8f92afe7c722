package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The route template a request path is labelled with: one segment per {@code {name}}, an optional trailing slash. */
class ApiMetricsTemplateTest {

  private final ApiMetrics metrics = metrics();

  private static ApiMetrics metrics() {
    var m = new ApiMetrics(() -> CompletableFuture.completedFuture(List.of()));
    m.useTemplates(List.of("get /api/v1/instruments", "get /api/v1/instruments/{id}",
        "post /api/v1/instruments/{id}/start", "get /metrics"));
    return m;
  }

  @Test
  void literalAndVariableSegmentsMatchWithOrWithoutATrailingSlash() {
    assertEquals("/api/v1/instruments", metrics.template("/api/v1/instruments"));
    assertEquals("/api/v1/instruments", metrics.template("/api/v1/instruments/"));
    assertEquals("/api/v1/instruments/{id}", metrics.template("/api/v1/instruments/ids"));
    assertEquals("/api/v1/instruments/{id}/start", metrics.template("/api/v1/instruments/ids/start/"));
    assertEquals("/metrics", metrics.template("/metrics"));
  }

  @Test
  void anythingElseIsOther() {
    for (String path : List.of("/", "", "/api/v1/instrumentsx", "/api/v1/instruments//start", "/api/v1/instruments//",
        "/api/v1/instruments/ids/start/x", "/instruments/ids/ui/", "/metricsx", "/api/v1/instruments/ids//")) {
      assertEquals("other", metrics.template(path), path);
    }
  }
}

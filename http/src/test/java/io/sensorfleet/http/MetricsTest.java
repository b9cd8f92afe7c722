package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.core.manifest.ManifestParser;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.Test;

class MetricsTest extends ApiRouteTest {

  @Test
  void metrics_show_requests_by_route_template_and_instruments_by_state() {
    fleet.with(ManifestParser.parseOrThrow("id: ids\nimage: sensorfleet/base\n"), Actual.RUNNING);
    app().run(HttpRequest.GET("/api/v1/health")).assertStatusCode(200);
    app().run(HttpRequest.GET("/api/v1/instruments/ids/health")).assertStatusCode(401);
    String metrics = app().run(HttpRequest.GET("/metrics")).assertStatusCode(200).entityString();
    assertTrue(metrics.contains("http_server_requests_seconds_count{method=\"GET\",status=\"200\","
        + "uri=\"/api/v1/health\"} 1"), metrics);
    assertTrue(metrics.contains("uri=\"/api/v1/instruments/{id}/health\""), "ids never become labels");
    assertTrue(metrics.contains("sensorfleet_instruments{state=\"running\"} 1.0"), metrics);
    assertTrue(metrics.contains("sensorfleet_instruments{state=\"stopped\"} 0.0"), metrics);
  }

  @Test
  void every_request_counts_in_its_own_series() {
    String health = "{method=\"GET\",status=\"200\",uri=\"/api/v1/health\"}";
    String refused = "{method=\"GET\",status=\"401\",uri=\"/api/v1/instruments\"}";
    long healthBefore = requestCount(health);
    long refusedBefore = requestCount(refused);
    for (int i = 0; i < 3; i++) {
      app().run(HttpRequest.GET("/api/v1/health")).assertStatusCode(200);
    }
    app().run(HttpRequest.GET("/api/v1/instruments")).assertStatusCode(401);
    assertEquals(healthBefore + 3, requestCount(health));
    assertEquals(refusedBefore + 1, requestCount(refused));
  }

  /** The count of one series of {@code http_server_requests_seconds} (0 before its first request). */
  private long requestCount(String labels) {
    String metrics = app().run(HttpRequest.GET("/metrics")).assertStatusCode(200).entityString();
    String line = "http_server_requests_seconds_count" + labels + " ";
    return metrics.lines().filter(l -> l.startsWith(line))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(line.length()))).findFirst().orElse(0);
  }

  @Test
  void metrics_show_each_instruments_measured_storage_use_and_quota() {
    fleet.with(ManifestParser.parseOrThrow("id: stor-metrics\nimage: sensorfleet/base\n"
        + "storage: {persistent: 64MiB, transient: 16MiB}\n"), Actual.RUNNING)
        .withStorage(new io.sensorfleet.core.storage.StorageUsage(
            io.sensorfleet.core.InstrumentId.of("stor-metrics"), 5_000_000, 64L << 20, 4096, 16L << 20));
    String metrics = app().run(HttpRequest.GET("/metrics")).assertStatusCode(200).entityString();
    assertTrue(metrics.contains("sensorfleet_instrument_storage_used_bytes{instrument=\"stor-metrics\","
        + "kind=\"persistent\"} 5000000.0"), metrics);
    assertTrue(metrics.contains("sensorfleet_instrument_storage_quota_bytes{instrument=\"stor-metrics\","
        + "kind=\"transient\"} 1.6777216E7"), metrics);
  }

  @Test
  void metrics_need_a_login_when_not_public() {
    var closed = testRoute(api(false).route());
    closed.run(HttpRequest.GET("/metrics")).assertStatusCode(401);
    user("mia", io.sensorfleet.core.access.Role.VIEWER);
    closed.run(as(login("mia"), HttpRequest.GET("/metrics"))).assertStatusCode(200);
  }
}

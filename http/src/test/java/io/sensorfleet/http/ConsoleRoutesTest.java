package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.core.access.Role;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * The console's page and assets (from a test build under {@code console-test/}), their cache headers, and the live
 * Instrument list it reads ({@code /api/v1/stream/instruments}).
 */
class ConsoleRoutesTest extends ApiRouteTest {

  static final String ROOT = "console-test/";

  @Test
  void the_page_is_public_and_never_cached_stale() {
    var page = app().run(HttpRequest.GET("/")).assertStatusCode(200);
    assertEquals("text/html; charset=UTF-8", page.response().entity().getContentType().toString());
    assertEquals("no-cache", page.response().getHeader("Cache-Control").orElseThrow().value());
    String csp = page.response().getHeader("Content-Security-Policy").orElseThrow().value();
    assertTrue(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
    assertTrue(page.entityString().contains("test console"));
    app().run(HttpRequest.GET("/index.html")).assertStatusCode(200);
  }

  @Test
  void hashed_assets_are_cached_for_a_year_with_their_type() {
    var js = app().run(HttpRequest.GET("/assets/index-AbC123.js")).assertStatusCode(200);
    assertEquals("public, max-age=31536000, immutable", js.response().getHeader("Cache-Control").orElseThrow()
        .value());
    assertEquals("application/javascript", js.response().entity().getContentType().mediaType().toString());
    var css = app().run(HttpRequest.GET("/assets/index-AbC123.css")).assertStatusCode(200);
    assertEquals("text/css", css.response().entity().getContentType().mediaType().toString());
  }

  @Test
  void head_answers_the_page_and_assets_like_get() {
    for (String uri : java.util.List.of("/", "/index.html", "/assets/index-AbC123.js")) {
      var get = app().run(HttpRequest.GET(uri)).assertStatusCode(200);
      var head = app().run(HttpRequest.HEAD(uri)).assertStatusCode(200);
      assertEquals(get.response().entity().getContentType(), head.response().entity().getContentType(), uri);
      assertEquals(get.response().getHeader("Cache-Control"), head.response().getHeader("Cache-Control"), uri);
      assertEquals(get.response().getHeader("Content-Security-Policy"),
          head.response().getHeader("Content-Security-Policy"), uri);
    }
    app().run(HttpRequest.HEAD("/assets/nope-1.js")).assertStatusCode(404);
  }

  @Test
  void head_over_a_socket_sends_the_length_and_no_body() throws Exception {
    var binding = Http.get(kit.system()).newServerAt("127.0.0.1", 0).bind(api.route()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    try {
      var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
          + binding.localAddress().getPort() + "/")).method("HEAD", java.net.http.HttpRequest.BodyPublishers
          .noBody()).build();
      var response = HttpClient.newHttpClient().send(request, BodyHandlers.ofByteArray());
      assertEquals(200, response.statusCode());
      assertEquals(0, response.body().length);
      long length = Long.parseLong(response.headers().firstValue("Content-Length").orElseThrow());
      assertEquals(app().run(HttpRequest.GET("/")).entityBytes().size(), length);
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void unknown_assets_and_paths_outside_the_build_are_not_found() {
    app().run(HttpRequest.GET("/assets/nope-1.js")).assertStatusCode(404);
    app().run(HttpRequest.GET("/assets/..%2Findex.html")).assertStatusCode(404);
    app().run(HttpRequest.GET("/assets/index-AbC123.exe")).assertStatusCode(404);
    app().run(HttpRequest.GET("/assets/../../openapi.yaml")).assertStatusCode(404);
  }

  @Test
  void the_built_console_is_on_the_sensors_class_path() throws IOException {
    try (InputStream page = getClass().getClassLoader().getResourceAsStream(ConsoleRoutes.RESOURCE_ROOT
        + "index.html")) {
      assertNotNull(page, "module console/ was not built into the class path");
      String html = new String(page.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(html.contains("/assets/") && !html.contains("https://"), html);
    }
  }

  @Test
  void the_live_instrument_list_needs_a_login() {
    app().run(HttpRequest.GET("/api/v1/stream/instruments")).assertStatusCode(401);
  }

  @Test
  void the_live_instrument_list_is_sent_at_once_and_again_on_each_change() throws Exception {
    user("stella", Role.VIEWER);
    fleet.with(io.sensorfleet.core.manifest.ManifestParser.parseOrThrow("id: live-one\nimage: sensorfleet/base\n"),
        io.sensorfleet.actors.instrument.InstrumentJournal.Actual.RUNNING);
    // Over a real socket: the route test kit waits for the whole entity, and this one never ends.
    var binding = Http.get(kit.system()).newServerAt("127.0.0.1", 0).bind(api.route()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    try {
      var request = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + binding.localAddress().getPort() + "/api/v1/stream/instruments"))
          .header("Cookie", "sf_session=" + login("stella")).build();
      var response = HttpClient.newHttpClient().sendAsync(request, BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode());
      assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElseThrow());
      var lines = response.body().iterator();
      JsonNode all = instrumentsEvent(lines);
      assertEquals(fleet.list().toCompletableFuture().join().size(), all.size(), all.toString());
      JsonNode first = all.get(0);
      assertEquals("running", first.get("actual").asText(), all.toString());

      fleet.stop(io.sensorfleet.core.InstrumentId.of(first.get("id").asText()), null);
      JsonNode changed = instrumentsEvent(lines);
      assertEquals("stopped", changed.get(0).get("actual").asText(), changed.toString());
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** The next Server-Sent Event, which must be an {@code instruments} one: its data. */
  private JsonNode instrumentsEvent(java.util.Iterator<String> lines) throws IOException {
    String event = null;
    String data = null;
    for (String line = lines.next(); !line.isEmpty(); line = lines.next()) {
      if (line.startsWith("event:")) {
        event = line.substring("event:".length());
      } else if (line.startsWith("data:")) {
        data = line.substring("data:".length());
      }
    }
    assertEquals("instruments", event);
    return mapper.readTree(data);
  }

  @Test
  void the_live_list_passes_a_value_on_only_when_it_changed() throws Exception {
    var seen = org.apache.pekko.stream.javadsl.Source.from(java.util.List.of(1, 1, 2, 2, 2, 1, 3))
        .via(InstrumentRoutes.<Integer>changes()).runWith(Sink.seq(), materializer())
        .toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(java.util.List.of(1, 2, 1, 3), seen);
  }

  @Test
  void a_change_reaches_the_live_list_from_the_registry_at_once_without_waiting_for_a_reread() throws Exception {
    fleet.with(io.sensorfleet.core.manifest.ManifestParser.parseOrThrow("id: topic-one\nimage: sensorfleet/base\n"),
        io.sensorfleet.actors.instrument.InstrumentJournal.Actual.RUNNING);
    var routes = new InstrumentRoutes(fleet, access, null, mapper, Duration.ofSeconds(5), Duration.ofHours(1));
    var events = routes.live().runWith(Sink.queue(), materializer());
    try {
      JsonNode first = mapper.readTree(events.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow()
          .getData());
      assertTrue(first.toString().contains("\"id\":\"topic-one\",") && first.toString().contains("running"),
          first.toString());

      fleet.stop(io.sensorfleet.core.InstrumentId.of("topic-one"), null);
      JsonNode next = mapper.readTree(events.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow()
          .getData());
      for (JsonNode i : next) {
        if (i.get("id").asText().equals("topic-one")) {
          assertEquals("stopped", i.get("actual").asText(), next.toString());
          return;
        }
      }
      throw new AssertionError("topic-one is gone: " + next);
    } finally {
      events.cancel();
    }
  }
}

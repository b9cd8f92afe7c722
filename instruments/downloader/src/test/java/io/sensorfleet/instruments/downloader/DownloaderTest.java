package io.sensorfleet.instruments.downloader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.instruments.support.Json;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.TestClients;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Downloader end to end against the SDK's fake platform and a local HTTP server. */
class DownloaderTest {

  static final byte[] BODY = "rules v1\n".getBytes(StandardCharsets.UTF_8);

  @TempDir Path data;
  final FakePlatform platform = FakePlatform.start();
  final AtomicInteger requests = new AtomicInteger();
  HttpServer server;
  Downloader downloader;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/rules", ex -> {
      requests.incrementAndGet();
      ex.getResponseHeaders().add("ETag", "\"r1\"");
      boolean same = "\"r1\"".equals(ex.getRequestHeaders().getFirst("If-None-Match"));
      ex.sendResponseHeaders(same ? 304 : 200, same ? -1 : BODY.length);
      try (OutputStream out = ex.getResponseBody()) {
        if (!same) {
          out.write(BODY);
        }
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    if (downloader != null) {
      downloader.close();
    }
    server.stop(0);
    platform.close();
  }

  FakePlatform.Link started() {
    downloader = Downloader.start(TestClients.on(platform), data, Clock.systemUTC(), d -> { });
    return platform.acceptAndWelcome();
  }

  RawJson jobs(int everySeconds) {
    return RawJson.of("{\"type\":\"jobs\",\"jobs\":[{\"name\":\"rules\",\"url\":\"http://127.0.0.1:"
        + server.getAddress().getPort() + "/rules\",\"every_seconds\":" + everySeconds + ",\"sha256\":null,"
        + "\"max_bytes\":1024,\"timeout_seconds\":5,\"requesters\":[\"ids\"]}]}");
  }

  static JsonNode nextReport(FakePlatform.Link link) {
    while (true) {
      if (link.next() instanceof FakePlatform.Link.Got(Frame.Send send)) {
        assertEquals(Downloader.PLATFORM, send.to());
        return Json.read(send.payload());
      }
    }
  }

  @Test
  void jobs_from_the_platform_are_fetched_reported_and_then_asked_for_conditionally() throws Exception {
    FakePlatform.Link link = started();
    link.send(new Frame.Deliver(Downloader.PLATFORM, jobs(1)));
    JsonNode first = nextReport(link);
    assertEquals("new", first.path("outcome").asText());
    assertEquals(BODY.length, first.path("size").asInt());
    Path stored = Path.of(first.path("path").asText());
    assertEquals(data.resolve("store/sha256/" + first.path("sha256").asText()), stored);
    assertEquals("rules v1\n", Files.readString(stored));
    JsonNode second = nextReport(link);
    assertEquals("not-modified", second.path("outcome").asText());
    assertEquals(first.path("sha256").asText(), second.path("sha256").asText());
    assertEquals(first.path("path").asText(), second.path("path").asText());
  }

  @Test
  void jobs_from_an_instrument_are_ignored() throws Exception {
    FakePlatform.Link link = started();
    link.send(new Frame.Deliver(InstrumentId.of("intruder"), jobs(1)));
    link.send(new Frame.HealthQuery("q1"));
    Frame.HealthReport report;
    while (true) {
      if (link.next() instanceof FakePlatform.Link.Got(Frame.HealthReport r)) {
        report = r;
        break;
      }
    }
    assertTrue(report.detail().startsWith("0 jobs"), report.detail());
    assertEquals(0, requests.get());
    assertTrue(link.nextWithin(Duration.ofMillis(300)).isEmpty(), "nothing was fetched or reported");
  }

  @Test
  void a_failed_fetch_is_tried_again_before_its_schedule() {
    FakePlatform.Link link = started();
    link.send(new Frame.Config("c1", 1, RawJson.of("{\"retries\":1,\"failed_retry_ms\":1000}")));
    server.stop(0);  // nothing listens any more: every attempt fails
    link.send(new Frame.Deliver(Downloader.PLATFORM, jobs(3600)));
    assertEquals("failed", nextReport(link).path("outcome").asText());
    assertEquals("failed", nextReport(link).path("outcome").asText(), "a second try within the hour");
  }
}

package io.sensorfleet.instruments.passivedns;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.access.UiSignature;
import io.sensorfleet.instruments.support.Json;
import io.sensorfleet.sdk.UiIdentityVerifier;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.TestClients;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** passive-dns end to end against the SDK's fake platform, its UI over real HTTP on a free port. */
class PassiveDnsTest {

  static final InstrumentId SENSOR = InstrumentId.of("dns-sensor");
  static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
  static final String RESPONSE = "{\"ts\":\"2026-12-01T09:00:00Z\",\"kind\":\"response\",\"client\":\"192.0.2.10\","
      + "\"server\":\"198.51.100.53\",\"qname\":\"%s\",\"qtype\":\"%s\",\"rcode\":\"NOERROR\",\"answers\":[%s]}";

  final FakePlatform platform = FakePlatform.start();
  final HttpClient http = HttpClient.newHttpClient();
  PassiveDns pdns;

  @TempDir
  Path data;

  @AfterEach
  void stop() {
    if (pdns != null) {
      pdns.close();
    }
    http.close();
    platform.close();
  }

  /** Started, subscribed (acknowledged) and configured with a free UI port. */
  FakePlatform.Link configured() {
    return configured(PassiveDns.start(TestClients.on(platform), data));
  }

  FakePlatform.Link configured(PassiveDns started) {
    pdns = started;
    FakePlatform.Link link = platform.acceptAndWelcome();
    link.send(new Frame.Ack(link.expect(Frame.Subscribe.class).id()));
    link.send(new Frame.Config("c1", 1, RawJson.of("{\"ui-port\":0}")));
    link.expect(Frame.ConfigAck.class);
    return link;
  }

  static void publish(FakePlatform.Link link, Instant at, String qname, String qtype, String answersJson) {
    link.send(new Frame.Event(PassiveDns.DNS, SENSOR, Audience.INSTRUMENTS, at,
        RawJson.of(RESPONSE.formatted(qname, qtype, answersJson))));
  }

  HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + pdns.uiPort().orElseThrow() + pathAndQuery);
  }

  JsonNode getJson(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> response = get(pathAndQuery);
    assertEquals(200, response.statusCode(), response.body());
    return Json.MAPPER.readTree(response.body());
  }

  static Frame.HealthReport health(FakePlatform.Link link) {
    link.send(new Frame.HealthQuery("q"));
    return link.expect(Frame.HealthReport.class);
  }

  @Test
  void with_a_ui_key_it_serves_only_requests_signed_by_fleet_management() throws Exception {
    byte[] key = new byte[UiSignature.KEY_BYTES];
    key[0] = 42;
    InstrumentId self = InstrumentId.of("passive-dns");
    configured(PassiveDns.start(TestClients.on(platform), data,
        UiIdentityVerifier.of(key, self, Duration.ofSeconds(60), Clock.systemUTC())));
    assertEquals(401, get("/api/whoami").statusCode());
    Instant now = Instant.now();
    var identity = new UiSignature("olga", "operator", self, "GET", "/api/whoami", now);
    var signed = HttpRequest.newBuilder(uri("/api/whoami"))
        .header(UiSignature.USER_HEADER, "olga").header(UiSignature.ROLE_HEADER, "operator")
        .header(UiSignature.INSTRUMENT_HEADER, self.value())
        .header(UiSignature.TIMESTAMP_HEADER, Long.toString(now.getEpochSecond()))
        .header(UiSignature.SIGNATURE_HEADER, identity.sign(key));
    HttpResponse<String> ok = send(signed.GET());
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("olga", Json.MAPPER.readTree(ok.body()).get("user").asText());
    // The same signature does not open another path, nor does it survive a forged role.
    assertEquals(401, send(signed.copy().uri(uri("/api/stats")).GET()).statusCode());
    assertEquals(401, send(signed.copy().setHeader(UiSignature.ROLE_HEADER, "admin").GET()).statusCode());
  }

  @Test
  void subscribes_to_dns_when_connected() {
    pdns = PassiveDns.start(TestClients.on(platform), data);

    assertEquals(PassiveDns.DNS, platform.acceptAndWelcome().expect(Frame.Subscribe.class).topic());
  }

  @Test
  void subscribes_again_after_reconnecting() {
    FakePlatform.Link first = configured();
    first.close();

    FakePlatform.Link second = platform.acceptAndWelcome();
    assertEquals(PassiveDns.DNS, second.expect(Frame.Subscribe.class).topic());
  }

  @Test
  void stores_each_answer_and_serves_it_in_search() throws Exception {
    FakePlatform.Link link = configured();
    publish(link, T0, "example.org", "A", "\"203.0.113.80\",\"203.0.113.81\"");
    publish(link, T0.plusSeconds(60), "example.org", "A", "\"203.0.113.80\"");

    await().atMost(FakePlatform.TIMEOUT).until(() -> getJson("/api/stats").get("sightings").asLong() == 3);
    JsonNode found = getJson("/api/search?q=example.org");
    assertEquals("example.org", found.get("query").asText());
    assertEquals(2, found.get("results").size());
    JsonNode row = found.get("results").get(0);
    assertEquals("203.0.113.80", row.get("answer").asText());
    assertEquals(2, row.get("count").asLong());
    assertEquals(T0.toString(), row.get("first_seen").asText());
    assertEquals(T0.plusSeconds(60).toString(), row.get("last_seen").asText());
    assertFalse(found.get("truncated").asBoolean());
  }

  @Test
  void finds_names_by_their_answer() throws Exception {
    FakePlatform.Link link = configured();
    publish(link, T0, "malware.evil.example", "A", "\"198.51.100.66\"");

    await().atMost(FakePlatform.TIMEOUT).until(() -> getJson("/api/search?q=198.51.100.66").get("results").size() == 1);
  }

  @Test
  void ignores_queries_and_events_it_cannot_read() throws Exception {
    FakePlatform.Link link = configured();
    link.send(new Frame.Event(PassiveDns.DNS, SENSOR, Audience.INSTRUMENTS, T0,
        RawJson.of("{\"kind\":\"query\",\"qname\":\"example.org\",\"qtype\":\"A\",\"answers\":[]}")));
    link.send(new Frame.Event(PassiveDns.DNS, SENSOR, Audience.INSTRUMENTS, T0, RawJson.of("{\"kind\":\"response\"}")));

    await().atMost(FakePlatform.TIMEOUT).until(() -> Json.read(health(link).metrics().orElseThrow())
        .get("events").asLong() == 2);
    JsonNode metrics = Json.read(health(link).metrics().orElseThrow());
    assertEquals(1, metrics.get("ignored").asLong());
    assertEquals(0, metrics.get("rows").asLong());
  }

  @Test
  void reports_healthy_with_its_record_count() {
    FakePlatform.Link link = configured();
    publish(link, T0, "example.org", "A", "\"203.0.113.80\"");

    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link).detail().equals("1 records"));
    assertEquals(HealthStatus.HEALTHY, health(link).status());
  }

  @Test
  void reports_degraded_while_the_platform_refuses_its_subscription() {
    FakePlatform.Link link = configured();
    link.send(Frame.Error.of(ErrorCode.NOT_PERMITTED, "revoked", Optional.empty()));

    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link).detail()
        .equals("the platform refuses the subscription to dns: not-permitted: revoked"));
    publish(link, T0, "example.org", "A", "\"203.0.113.80\"");
    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link).status() == HealthStatus.HEALTHY);
  }

  @Test
  void reports_failed_when_the_database_cannot_be_opened() throws IOException {
    Path notADirectory = Files.writeString(data.resolve("file"), "x");
    pdns = PassiveDns.start(TestClients.on(platform), notADirectory);
    FakePlatform.Link link = platform.acceptAndWelcome();
    link.expect(Frame.Subscribe.class);

    Frame.HealthReport report = health(link);
    assertEquals(HealthStatus.FAILED, report.status());
    assertTrue(report.detail().startsWith("cannot open the database in " + notADirectory), report.detail());
  }

  @Test
  void retention_deletes_old_records_and_stale_files_but_keeps_the_database() throws Exception {
    FakePlatform.Link link = configured();
    publish(link, T0, "old.example", "A", "\"192.0.2.1\"");
    publish(link, T0.plusSeconds(7200), "new.example", "A", "\"192.0.2.2\"");
    await().atMost(FakePlatform.TIMEOUT).until(() -> getJson("/api/stats").get("rows").asLong() == 2);
    Path stale = Files.writeString(data.resolve("pdns.trace.db"), "left by an older version");
    Files.setLastModifiedTime(stale, FileTime.from(T0));
    // As if nothing had been written for longer than the retention period: the sweep must still keep it.
    Files.setLastModifiedTime(data.resolve("pdns.mv.db"), FileTime.from(T0));
    Instant cutoff = T0.plusSeconds(3600);

    link.send(new Frame.RetentionEnforce("r1", cutoff));

    Frame.RetentionReport report = link.expect(Frame.RetentionReport.class);
    assertEquals(1, report.deletedFiles());
    assertTrue(report.notes().startsWith("deleted 1 passive-DNS records last seen before " + cutoff),
        report.notes());
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(data.resolve("pdns.mv.db")));
    assertEquals(0, getJson("/api/search?q=old.example").get("results").size());
    assertEquals(1, getJson("/api/search?q=new.example").get("results").size());
  }

  @Test
  void the_search_page_escapes_what_it_shows() throws Exception {
    FakePlatform.Link link = configured();
    publish(link, T0, "xss.example", "TXT", "\"\\\"<script>alert(1)</script>\\\"\"");
    await().atMost(FakePlatform.TIMEOUT).until(() -> getJson("/api/stats").get("rows").asLong() == 1);

    HttpResponse<String> page = get("/?q=%3Cb%3Exss.example");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("&lt;b&gt;xss.example"), page.body());
    assertFalse(page.body().contains("<b>xss"), page.body());
    HttpResponse<String> found = get("/?q=xss.example");
    assertTrue(found.body().contains("&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"), found.body());
    assertFalse(found.body().contains("<script>"), found.body());
    assertEquals(Optional.of("text/html; charset=utf-8"), found.headers().firstValue("Content-Type"));
  }

  @Test
  void answers_bad_requests_with_a_json_error() throws Exception {
    configured();

    assertEquals(400, get("/api/search").statusCode());
    assertEquals(400, get("/api/search?q=" + "a".repeat(300)).statusCode());
    assertEquals(404, get("/admin").statusCode());
    HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/api/search?q=x"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(405, post.statusCode());
    assertTrue(post.body().startsWith("{\"error\":"), post.body());
  }

  @Test
  void keeps_its_ui_when_a_new_port_is_taken() throws Exception {
    FakePlatform.Link link = configured();
    int port = pdns.uiPort().orElseThrow();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      link.send(new Frame.Config("c2", 2, RawJson.of("{\"ui-port\":" + taken.getLocalPort() + "}")));

      assertTrue(link.expect(Frame.ConfigReject.class).reason().startsWith("cannot listen on 127.0.0.1:"));
    }
    assertEquals(Optional.of(port), pdns.uiPort());
    assertEquals(0, getJson("/api/stats").get("rows").asLong());
  }

  @Test
  void applies_a_new_result_limit_without_moving_the_ui() throws Exception {
    FakePlatform.Link link = configured();
    publish(link, T0, "example.org", "A", "\"203.0.113.80\",\"203.0.113.81\"");
    link.send(new Frame.Config("c2", 2, RawJson.of("{\"ui-port\":0,\"max-results\":1}")));
    link.expect(Frame.ConfigAck.class);

    await().atMost(FakePlatform.TIMEOUT).until(() -> getJson("/api/search?q=example.org").get("truncated").asBoolean());
    assertEquals(1, getJson("/api/search?q=example.org").get("results").size());
  }

  @Test
  void rejects_an_unknown_configuration_field() {
    pdns = PassiveDns.start(TestClients.on(platform), data);
    FakePlatform.Link link = platform.acceptAndWelcome();
    link.expect(Frame.Subscribe.class);
    link.send(new Frame.Config("c1", 1, RawJson.of("{\"zones\":[]}")));

    assertEquals("unknown field 'zones'; known: ui-port, max-results", link.expect(Frame.ConfigReject.class).reason());
  }
}

package io.sensorfleet.instruments.dnssensor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.instruments.support.Json;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.TestClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dns-sensor end to end against the SDK's fake platform, replaying the sample capture fast. */
class DnsSensorTest {

  static final InstrumentId RULE_MANAGER = InstrumentId.of("rule-manager");
  static final RawJson DEMO_RULESET =
      RawJson.of("{\"ruleset\":\"demo\",\"version\":7,\"patterns\":[\"*.evil.example\"]}");

  final FakePlatform platform = FakePlatform.start();
  DnsSensor sensor;

  @TempDir
  Path dir;

  @AfterEach
  void stop() {
    if (sensor != null) {
      sensor.close();
    }
    platform.close();
  }

  /** Publications that arrived before the configuration's ack (the replay starts while it is applied). */
  final Deque<Frame.Publish> early = new ArrayDeque<>();

  FakePlatform.Link configured(String config) {
    sensor = DnsSensor.start(TestClients.on(platform), Clock.systemUTC());
    FakePlatform.Link link = platform.acceptAndWelcome();
    link.send(new Frame.Config("c1", 1, RawJson.of(config)));
    while (true) {
      Frame frame = link.expect(Frame.class);
      if (frame instanceof Frame.ConfigAck) {
        return link;
      }
      early.add(assertInstanceOf(Frame.Publish.class, frame));
    }
  }

  /** The next publication, including those that came before the configuration's ack. */
  Frame.Publish nextPublish(FakePlatform.Link link) {
    return early.isEmpty() ? link.expect(Frame.Publish.class) : early.poll();
  }

  /** The next publication on {@code topic}, skipping every other frame. */
  Frame.Publish nextOn(FakePlatform.Link link, Topic topic) {
    while (true) {
      if (!early.isEmpty()) {
        Frame.Publish p = early.poll();
        if (p.topic().equals(topic)) {
          return p;
        }
      } else if (link.next() instanceof FakePlatform.Link.Got(Frame.Publish p) && p.topic().equals(topic)) {
        return p;
      }
    }
  }

  static JsonNode payload(Frame.Publish publish) {
    return Json.read(publish.payload());
  }

  static Frame.HealthReport health(FakePlatform.Link link) {
    link.send(new Frame.HealthQuery("q"));
    while (true) {
      if (link.next() instanceof FakePlatform.Link.Got(Frame.HealthReport r)) {
        return r;
      }
    }
  }

  @Test
  void publishes_one_dns_event_per_query_and_response_of_the_sample() {
    FakePlatform.Link link = configured("{\"rate\":5000,\"loop\":false}");

    List<Frame.Publish> published = new ArrayList<>();
    for (int i = 0; i < SamplePcap.exchanges().size() * 2; i++) {
      published.add(nextPublish(link));
    }

    assertTrue(published.stream().allMatch(p -> p.topic().equals(DnsSensor.DNS)
        && p.audience() == Audience.INSTRUMENTS), "no alerts without a ruleset");
    JsonNode response = payload(published.get(1));
    assertEquals("response", response.get("kind").asText());
    assertEquals(SamplePcap.CLIENT4, response.get("client").asText());
    assertEquals(SamplePcap.SERVER4, response.get("server").asText());
    assertEquals("example.org", response.get("qname").asText());
    assertEquals("A", response.get("qtype").asText());
    assertEquals("NOERROR", response.get("rcode").asText());
    assertEquals("[\"203.0.113.80\"]", response.get("answers").toString());
    assertTrue(response.get("ts").asText().endsWith("Z"), response.toString());
  }

  @Test
  void reports_its_counts_and_that_it_replayed_the_whole_sample() {
    FakePlatform.Link link = configured("{\"rate\":5000,\"loop\":false}");

    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link).detail().startsWith("replayed "));
    Frame.HealthReport report = health(link);
    assertEquals(HealthStatus.HEALTHY, report.status());
    JsonNode metrics = Json.read(report.metrics().orElseThrow());
    assertEquals(SamplePcap.packetCount(), metrics.get("packets").asLong());
    assertEquals(SamplePcap.exchanges().size() * 2, metrics.get("events").asLong());
    assertEquals(0, metrics.get("alerts").asLong());
  }

  @Test
  void alerts_the_users_on_a_name_a_ruleset_matches() {
    FakePlatform.Link link = configured("{\"rate\":5000}");
    link.send(new Frame.Deliver(RULE_MANAGER, DEMO_RULESET));

    Frame.Publish alert = nextOn(link, DnsSensor.ALERTS);
    assertEquals(Audience.USERS, alert.audience());
    JsonNode body = payload(alert);
    assertTrue(body.get("qname").asText().endsWith(".evil.example"), body.toString());
    assertEquals(2, body.get("severity").asInt());
    assertEquals("*.evil.example", body.get("rule").asText());
    assertEquals("demo", body.get("ruleset").asText());
    assertEquals(7, body.get("ruleset_version").asLong());
    assertTrue(body.hasNonNull("client"), body.toString());
  }

  @Test
  void alerts_only_on_matching_names() {
    FakePlatform.Link link = configured("{\"rate\":5000,\"alert-suppress-seconds\":0}");
    link.send(new Frame.Deliver(RULE_MANAGER,
        RawJson.of("{\"ruleset\":\"one\",\"version\":1,\"patterns\":[\"bad.test\"]}")));

    for (int i = 0; i < 3; i++) {
      assertEquals("bad.test", payload(nextOn(link, DnsSensor.ALERTS)).get("qname").asText());
    }
  }

  @Test
  void suppresses_repeats_of_an_alert_within_its_window() {
    FakePlatform.Link link = configured("{\"rate\":5000}");
    link.send(new Frame.Deliver(RULE_MANAGER, DEMO_RULESET));

    await().atMost(FakePlatform.TIMEOUT).until(() -> Json.read(health(link).metrics().orElseThrow())
        .path("suppressed_alerts").asLong() > 10);
    // Three (name, client) pairs of the sample match *.evil.example: one alert each, however many passes.
    assertEquals(3, Json.read(health(link).metrics().orElseThrow()).path("alerts").asLong());
  }

  @Test
  void reports_the_ruleset_version_in_force() {
    FakePlatform.Link link = configured("{\"rate\":5000}");
    link.send(new Frame.Deliver(RULE_MANAGER, DEMO_RULESET));

    await().atMost(FakePlatform.TIMEOUT).until(() -> Json.read(health(link).metrics().orElseThrow())
        .path("rulesets").path("demo").asLong() == 7);
  }

  @Test
  void reports_degraded_naming_the_sender_of_a_malformed_ruleset() {
    FakePlatform.Link link = configured("{\"rate\":5000}");
    link.send(new Frame.Deliver(RULE_MANAGER, RawJson.of("{\"ruleset\":\"demo\"}")));

    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link).detail()
        .equals("refused a ruleset from rule-manager: version must be a whole number from 0"));
    assertEquals(HealthStatus.DEGRADED, health(link).status());
  }

  @Test
  void reports_degraded_when_the_platform_refuses_its_publications() {
    FakePlatform.Link link = configured("{\"rate\":5000}");
    Frame.Publish refused = nextOn(link, DnsSensor.DNS);
    link.send(Frame.Error.of(ErrorCode.NOT_PERMITTED, "no grant: publish dns", refused.id()));

    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link).status() == HealthStatus.DEGRADED);
    assertEquals("the platform refuses publications (1 so far): not-permitted: no grant: publish dns",
        health(link).detail());
  }

  @Test
  void reports_degraded_when_the_pcap_does_not_exist() {
    FakePlatform.Link link = configured("{\"pcap\":\"" + dir.resolve("missing.pcap") + "\"}");

    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link).status() == HealthStatus.DEGRADED);
    assertTrue(health(link).detail().startsWith("cannot read " + dir.resolve("missing.pcap") + ": NoSuchFile"),
        health(link).detail());
  }

  @Test
  void reports_degraded_when_the_pcap_is_malformed() throws IOException {
    Path garbage = Files.writeString(dir.resolve("garbage.pcap"), "this is not a capture, just some text");
    FakePlatform.Link link = configured("{\"pcap\":\"" + garbage + "\"}");

    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link).detail()
        .equals("cannot read " + garbage + ": not a pcap file: magic number 0x74686973"));
  }

  @Test
  void replays_a_pcap_file_it_is_given() throws IOException {
    Path file = Files.write(dir.resolve("copy.pcap"), SamplePcap.bytes());
    FakePlatform.Link link = configured("{\"pcap\":\"" + file + "\",\"rate\":5000,\"loop\":false}");

    assertEquals("example.org", payload(nextOn(link, DnsSensor.DNS)).get("qname").asText());
  }

  @Test
  void rejects_a_rate_that_is_not_positive() {
    sensor = DnsSensor.start(TestClients.on(platform), Clock.systemUTC());
    FakePlatform.Link link = platform.acceptAndWelcome();
    link.send(new Frame.Config("c1", 1, RawJson.of("{\"rate\":0}")));

    assertEquals("rate must be a number of packets per second above 0, at most 100000",
        link.expect(Frame.ConfigReject.class).reason());
  }

  @Test
  void rejects_unknown_fields() {
    sensor = DnsSensor.start(TestClients.on(platform), Clock.systemUTC());
    FakePlatform.Link link = platform.acceptAndWelcome();
    link.send(new Frame.Config("c1", 1, RawJson.of("{\"decode-tcp\":true}")));

    assertEquals("unknown field 'decode-tcp'; known: alert-suppress-seconds, loop, pcap, rate",
        link.expect(Frame.ConfigReject.class).reason());
  }

  @Test
  void reports_degraded_until_configured() {
    sensor = DnsSensor.start(TestClients.on(platform), Clock.systemUTC());
    FakePlatform.Link link = platform.acceptAndWelcome();

    assertEquals("waiting for a configuration", health(link).detail());
  }
}

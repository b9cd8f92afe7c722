package io.sensorfleet.instruments.sample;

import static io.sensorfleet.sdk.testing.FakePlatform.Link.assertAnswers;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.TestClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample Instrument end to end against the SDK's fake platform, in this JVM. */
class SampleInstrumentTest {

  static final RawJson CONFIG = RawJson.of("{\"heartbeat_seconds\":1,\"topic\":\"alerts.ids\"}");
  static final InstrumentId IDS = InstrumentId.of("ids");

  final FakePlatform platform = FakePlatform.start();

  @TempDir
  Path data;

  SampleInstrument sample;

  @AfterEach
  void stop() {
    if (sample != null) {
      sample.close();
    }
    platform.close();
  }

  FakePlatform.Link started() {
    sample = SampleInstrument.start(TestClients.on(platform), data, Clock.systemUTC());
    return platform.acceptAndWelcome();
  }

  /** Started and configured with {@link #CONFIG}, its subscription acknowledged. */
  FakePlatform.Link configured() {
    FakePlatform.Link link = started();
    link.send(new Frame.Config("c1", 1, CONFIG));
    link.send(new Frame.Ack(link.expect(Frame.Subscribe.class).id()));
    link.expect(Frame.ConfigAck.class);
    return link;
  }

  Frame.HealthReport health(FakePlatform.Link link, String id) {
    link.send(new Frame.HealthQuery(id));
    return link.expect(Frame.HealthReport.class);
  }

  @Test
  void acknowledges_a_valid_configuration() {
    FakePlatform.Link link = started();
    link.send(new Frame.Config("c1", 1, RawJson.of("{\"heartbeat_seconds\":60}")));

    Frame.ConfigAck ack = link.expect(Frame.ConfigAck.class);
    assertAnswers("c1", ack);
    assertEquals(1, ack.version());
  }

  @Test
  void rejects_a_configuration_that_asks_for_it_with_the_reason() {
    FakePlatform.Link link = started();
    link.send(new Frame.Config("c2", 2, RawJson.of("{\"heartbeat_seconds\":60,\"reject\":true}")));

    assertEquals(new Frame.ConfigReject("c2", 2, "rejected as asked by \"reject\": true"),
        link.expect(Frame.ConfigReject.class));
  }

  @Test
  void rejects_a_configuration_missing_the_heartbeat() {
    FakePlatform.Link link = started();
    link.send(new Frame.Config("c3", 3, RawJson.of("{}")));

    assertEquals("heartbeat_seconds is required", link.expect(Frame.ConfigReject.class).reason());
  }

  @Test
  void applies_the_configuration_welcome_carries() {
    sample = SampleInstrument.start(TestClients.on(platform), data, Clock.systemUTC());
    FakePlatform.Link link = platform.accept();
    link.welcome(Optional.of(new Frame.AcceptedConfig(4, CONFIG)));

    assertEquals(Topic.of("alerts.ids"), link.expect(Frame.Subscribe.class).topic());
  }

  @Test
  void reports_degraded_until_configured() {
    FakePlatform.Link link = started();

    Frame.HealthReport report = health(link, "q1");
    assertEquals(HealthStatus.DEGRADED, report.status());
    assertEquals("waiting for a configuration", report.detail());
  }

  @Test
  void reports_healthy_with_its_counters_once_configured() {
    FakePlatform.Link link = configured();

    Frame.HealthReport report = health(link, "q2");
    assertAnswers("q2", report);
    assertEquals(HealthStatus.HEALTHY, report.status());
    assertTrue(report.metrics().orElseThrow().asString().contains("\"heartbeats\":"), report.toString());
  }

  @Test
  void reports_degraded_when_its_subscription_is_refused() {
    FakePlatform.Link link = started();
    link.send(new Frame.Config("c1", 1, CONFIG));
    Frame.Subscribe subscribe = link.expect(Frame.Subscribe.class);
    link.send(Frame.Error.of(ErrorCode.NOT_PERMITTED, "no", Optional.of(subscribe.id())));
    link.expect(Frame.ConfigAck.class);

    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link, "q").status() == HealthStatus.DEGRADED);
  }

  @Test
  void writes_heartbeat_lines_into_its_data_directory() {
    configured();

    await().atMost(FakePlatform.TIMEOUT).until(() -> heartbeatLines().anyMatch(l -> l.endsWith(" alive")));
  }

  @Test
  void enforces_retention_on_its_data_directory() throws IOException {
    FakePlatform.Link link = started();
    Path old = data.resolve("heartbeats/2020-01-01T00.log");
    Files.createDirectories(old.getParent());
    Files.writeString(old, "2020-01-01T00:00:00Z alive\n");
    Files.setLastModifiedTime(old, FileTime.from(Instant.parse("2020-01-01T00:00:01Z")));
    Instant cutoff = Instant.parse("2026-01-01T00:00:00Z");

    long size = Files.size(old);
    link.send(new Frame.RetentionEnforce("r1", cutoff));

    assertEquals(new Frame.RetentionReport("r1", cutoff, 1, size, OptionalLong.of(0), ""),
        link.expect(Frame.RetentionReport.class));
    assertFalse(Files.exists(old));
  }

  @Test
  void subscribes_to_the_configured_topic() {
    FakePlatform.Link link = started();
    link.send(new Frame.Config("c1", 1, CONFIG));

    assertEquals(Topic.of("alerts.ids"), link.expect(Frame.Subscribe.class).topic());
  }

  @Test
  void moves_its_subscription_when_the_topic_changes() {
    FakePlatform.Link link = configured();
    link.send(new Frame.Config("c2", 2, RawJson.of("{\"heartbeat_seconds\":1,\"topic\":\"dns.queries\"}")));

    assertEquals(Topic.of("alerts.ids"), link.expect(Frame.Unsubscribe.class).topic());
    assertEquals(Topic.of("dns.queries"), link.expect(Frame.Subscribe.class).topic());
  }

  @Test
  void counts_the_events_of_its_topic() {
    FakePlatform.Link link = configured();
    link.send(new Frame.Event(Topic.of("alerts.ids"), IDS, Audience.INSTRUMENTS, Instant.now(),
        RawJson.of("{\"signature\":\"ET SCAN\"}")));

    await().atMost(FakePlatform.TIMEOUT)
        .until(() -> health(link, "q").metrics().orElseThrow().asString().contains("\"events\":1"));
  }

  @Test
  void echoes_a_direct_message_to_its_sender() {
    FakePlatform.Link link = started();
    link.send(new Frame.Deliver(IDS, RawJson.of("{\"ping\":1}")));

    Frame.Send echo = link.expect(Frame.Send.class);
    assertEquals(IDS, echo.to());
    assertEquals(RawJson.of("{\"echo\":{\"ping\":1}}"), echo.payload());
  }

  @Test
  void does_not_echo_an_echo() {
    FakePlatform.Link link = started();
    link.send(new Frame.Deliver(IDS, RawJson.of("{\"echo\":{\"ping\":1}}")));
    link.send(new Frame.HealthQuery("q9"));

    // The next frame answers the query: no echo went out before it.
    assertAnswers("q9", link.expect(Frame.HealthReport.class));
  }

  @Test
  void stops_when_the_platform_says_bye() throws InterruptedException {
    FakePlatform.Link link = configured();
    link.send(new Frame.Bye("upgrade"));

    link.expect(Frame.Bye.class);
    assertTrue(sample.client().awaitClosed(FakePlatform.TIMEOUT));
  }

  Stream<String> heartbeatLines() throws IOException {
    Path dir = data.resolve("heartbeats");
    if (!Files.isDirectory(dir)) {
      return Stream.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList().stream().flatMap(f -> {
        try {
          return Files.readAllLines(f).stream();
        } catch (IOException e) {
          return Stream.empty();
        }
      });
    }
  }
}

package io.sensorfleet.instruments.rulemanager;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.TestClients;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rule-manager end to end against the SDK's fake platform. */
class RuleManagerTest {

  static final InstrumentId SENSOR = InstrumentId.of("dns-sensor");
  static final String DEMO = "{\"rulesets\":[{\"name\":\"demo\",\"target\":\"dns-sensor\","
      + "\"patterns\":[\"*.evil.example\"]}]%s}";
  static final RawJson DEMO_V1 = RawJson.of("{\"ruleset\":\"demo\",\"version\":1,\"patterns\":[\"*.evil.example\"]}");

  final FakePlatform platform = FakePlatform.start();
  RuleManager manager;

  @AfterEach
  void stop() {
    if (manager != null) {
      manager.close();
    }
    platform.close();
  }

  /** Started and configured with the demo ruleset ({@code extra} adds fields); the config ack taken. */
  FakePlatform.Link configured(String extra) {
    manager = RuleManager.start(TestClients.on(platform));
    FakePlatform.Link link = platform.acceptAndWelcome();
    link.send(new Frame.Config("c1", 1, RawJson.of(DEMO.formatted(extra))));
    return link;
  }

  /** The next send, skipping a config ack (which may come before or after it). */
  static Frame.Send nextSend(FakePlatform.Link link) {
    while (true) {
      Frame frame = link.expect(Frame.class);
      if (frame instanceof Frame.Send send) {
        return send;
      }
      assertTrue(frame instanceof Frame.ConfigAck, "unexpected " + frame);
    }
  }

  /**
   * The next send of {@code payload}, skipping earlier sends: a connection and a configuration that arrive
   * together may each send the rulesets once.
   */
  static Frame.Send sendOf(FakePlatform.Link link, RawJson payload) {
    while (true) {
      Frame.Send send = nextSend(link);
      if (send.payload().equals(payload)) {
        return send;
      }
    }
  }

  static Frame.HealthReport health(FakePlatform.Link link) {
    link.send(new Frame.HealthQuery("q"));
    while (true) {
      if (link.next() instanceof FakePlatform.Link.Got(Frame.HealthReport report)) {
        return report;
      }
    }
  }

  @Test
  void sends_each_ruleset_to_its_target_when_configured() {
    FakePlatform.Link link = configured("");

    Frame.Send send = nextSend(link);
    assertEquals(SENSOR, send.to());
    assertTrue(send.ack(), "sent with an acknowledgement");
    assertTrue(send.id().isPresent());
    assertEquals(DEMO_V1, send.payload());
  }

  @Test
  void reports_degraded_naming_the_target_until_it_is_acknowledged() {
    FakePlatform.Link link = configured("");
    Frame.Send send = nextSend(link);

    Frame.HealthReport waiting = health(link);
    assertEquals(HealthStatus.DEGRADED, waiting.status());
    assertEquals("dns-sensor has not acknowledged demo version 1", waiting.detail());

    link.send(new Frame.Ack(send.id().orElseThrow()));
    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link).status() == HealthStatus.HEALTHY);
    assertEquals("rulesets acknowledged for dns-sensor", health(link).detail());
    assertTrue(health(link).metrics().orElseThrow().asString()
        .contains("\"dns-sensor\":{\"last_acked_version\":1,\"waiting\":0}"));
  }

  @Test
  void resends_periodically_until_acknowledged_and_after() {
    FakePlatform.Link link = configured(",\"resend-seconds\":0.05");

    Frame.Send first = nextSend(link);
    Frame.Send second = nextSend(link);
    assertEquals(first.payload(), second.payload());
    link.send(new Frame.Ack(second.id().orElseThrow()));

    assertEquals(DEMO_V1, nextSend(link).payload());   // a restarted target still gets it
  }

  @Test
  void sends_again_after_reconnecting() {
    FakePlatform.Link link = configured("");
    link.send(new Frame.Ack(nextSend(link).id().orElseThrow()));
    link.close();

    FakePlatform.Link again = platform.acceptAndWelcome();
    assertEquals(DEMO_V1, nextSend(again).payload());
  }

  @Test
  void sends_the_rulesets_of_the_configuration_welcome_restores() {
    manager = RuleManager.start(TestClients.on(platform));
    FakePlatform.Link link = platform.accept();
    link.welcome(Optional.of(new Frame.AcceptedConfig(4, RawJson.of(DEMO.formatted("")))));

    assertEquals(RawJson.of("{\"ruleset\":\"demo\",\"version\":4,\"patterns\":[\"*.evil.example\"]}"),
        nextSend(link).payload());
  }

  @Test
  void reports_why_the_platform_refused_a_ruleset() {
    FakePlatform.Link link = configured("");
    Frame.Send send = nextSend(link);
    link.send(Frame.Error.of(ErrorCode.NOT_PERMITTED, "no grant", send.id()));

    await().atMost(FakePlatform.TIMEOUT).until(() -> health(link).detail().contains("(refused: "));
    assertTrue(health(link).detail().startsWith("dns-sensor has not acknowledged demo version 1 (refused: "),
        health(link).detail());
  }

  @Test
  void withdraws_a_ruleset_dropped_from_the_configuration() {
    FakePlatform.Link link = configured("");
    link.send(new Frame.Ack(nextSend(link).id().orElseThrow()));
    link.send(new Frame.Config("c2", 2, RawJson.of("{\"rulesets\":[]}")));

    sendOf(link, RawJson.of("{\"ruleset\":\"demo\",\"version\":2,\"patterns\":[]}"));
  }

  @Test
  void sends_a_new_version_when_the_configuration_changes() {
    FakePlatform.Link link = configured("");
    link.send(new Frame.Ack(nextSend(link).id().orElseThrow()));
    link.send(new Frame.Config("c2", 2, RawJson.of("{\"rulesets\":[{\"name\":\"demo\",\"target\":\"dns-sensor\","
        + "\"patterns\":[\"bad.test\"]}]}")));

    sendOf(link, RawJson.of("{\"ruleset\":\"demo\",\"version\":2,\"patterns\":[\"bad.test\"]}"));
  }

  @Test
  void rejects_a_ruleset_without_a_target() {
    manager = RuleManager.start(TestClients.on(platform));
    FakePlatform.Link link = platform.acceptAndWelcome();
    link.send(new Frame.Config("c1", 1, RawJson.of("{\"rulesets\":[{\"name\":\"demo\",\"patterns\":[]}]}")));

    assertEquals("rulesets[0].target must be an Instrument id", link.expect(Frame.ConfigReject.class).reason());
  }

  @Test
  void reports_degraded_until_configured() {
    manager = RuleManager.start(TestClients.on(platform));
    FakePlatform.Link link = platform.acceptAndWelcome();

    assertEquals("waiting for a configuration", health(link).detail());
  }
}

package io.sensorfleet.sdk;

import static io.sensorfleet.sdk.testing.FakePlatform.Link.assertAnswers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.Inbox;
import io.sensorfleet.sdk.testing.TestClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfigCallbackTest {

  static final RawJson CONFIG = RawJson.of("{\"interfaces\":[\"mirror0\"]}");

  final FakePlatform platform = FakePlatform.start();

  @AfterEach
  void stop() {
    platform.close();
  }

  @Test
  void gives_the_new_configuration_to_onConfig() {
    Inbox<ConfigUpdate> updates = new Inbox<>();
    try (var client = TestClients.on(platform).onConfig(u -> {
      updates.add(u);
      return ConfigDecision.accept();
    }).build()) {
      platform.acceptAndWelcome().send(new Frame.Config("c7", 4, CONFIG));

      assertEquals(new ConfigUpdate(4, CONFIG, false), updates.take());
    }
  }

  @Test
  void acknowledges_an_accepted_configuration_with_its_id_and_version() {
    try (var client = TestClients.on(platform).onConfig(u -> ConfigDecision.accept()).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.Config("c7", 4, CONFIG));

      Frame.ConfigAck ack = link.expect(Frame.ConfigAck.class);
      assertAnswers("c7", ack);
      assertEquals(4, ack.version());
    }
  }

  @Test
  void rejects_a_configuration_with_the_callbacks_reason_id_and_version() {
    try (var client = TestClients.on(platform)
        .onConfig(u -> ConfigDecision.reject("interface mirror0 does not exist")).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.Config("c8", 5, CONFIG));

      assertEquals(new Frame.ConfigReject("c8", 5, "interface mirror0 does not exist"),
          link.expect(Frame.ConfigReject.class));
    }
  }

  @Test
  void rejects_a_configuration_naming_the_exception_when_onConfig_throws() {
    try (var client = TestClients.on(platform).onConfig(u -> {
      throw new IllegalStateException("disk full");
    }).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.Config("c9", 6, CONFIG));

      Frame.ConfigReject reject = link.expect(Frame.ConfigReject.class);
      assertAnswers("c9", reject);
      assertTrue(reject.reason().contains("IllegalStateException: disk full"), reject.reason());
    }
  }

  @Test
  void rejects_configurations_when_the_instrument_has_no_onConfig() {
    try (var client = TestClients.on(platform).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.Config("c1", 1, CONFIG));

      assertEquals("this Instrument takes no configuration", link.expect(Frame.ConfigReject.class).reason());
    }
  }

  @Test
  void cuts_a_rejection_reason_to_the_protocols_limit() {
    try (var client = TestClients.on(platform).onConfig(u -> ConfigDecision.reject("x".repeat(10_000))).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.Config("c2", 2, CONFIG));

      assertEquals(4096, link.expect(Frame.ConfigReject.class).reason().length());
    }
  }
}

package io.sensorfleet.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.Handshake;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.Inbox;
import io.sensorfleet.sdk.testing.TestClients;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandshakeTest {

  final FakePlatform platform = FakePlatform.start();

  @AfterEach
  void stop() {
    platform.close();
  }

  @Test
  void says_hello_first_with_its_id_the_protocol_versions_and_the_sdk_version() {
    try (var client = TestClients.on(platform).software("sample/1.2.3").build()) {
      Frame.Hello hello = platform.accept().expect(Frame.Hello.class);

      assertEquals(TestClients.ID, hello.instrument());
      assertEquals(Handshake.SUPPORTED_VERSIONS, hello.versions());
      assertTrue(hello.software().startsWith("sample/1.2.3 sensorfleet-sdk-java/"), hello.software());
    }
  }

  @Test
  void becomes_ready_once_welcomed() {
    Inbox<ClientState> states = new Inbox<>();
    try (var client = TestClients.on(platform).onStateChange(states::add).build()) {
      assertEquals(ClientState.CONNECTING, client.state());
      platform.acceptAndWelcome();

      assertEquals(ClientState.READY, states.take());
      assertEquals(ClientState.READY, client.state());
    }
  }

  @Test
  void hands_the_configuration_carried_by_welcome_to_onConfig_as_restored() {
    Inbox<ConfigUpdate> updates = new Inbox<>();
    RawJson config = RawJson.of("{\"topic\":\"dns.queries\"}");
    try (var client = TestClients.on(platform).onConfig(u -> {
      updates.add(u);
      return ConfigDecision.accept();
    }).build()) {
      platform.accept().welcome(Optional.of(new Frame.AcceptedConfig(7, config)));

      assertEquals(new ConfigUpdate(7, config, true), updates.take());
    }
  }

  @Test
  void does_not_answer_the_configuration_carried_by_welcome() {
    try (var client = TestClients.on(platform).onConfig(u -> ConfigDecision.accept()).build()) {
      var link = platform.accept();
      link.welcome(Optional.of(new Frame.AcceptedConfig(7, RawJson.of("{}"))));
      link.send(new Frame.HealthQuery("q1"));

      // The first frame after the handshake answers the query: no config-ack came before it.
      link.expect(Frame.HealthReport.class);
    }
  }

  @Test
  void connects_again_when_no_welcome_arrives_in_time() {
    try (var client = TestClients.on(platform).handshakeTimeout(Duration.ofMillis(200)).build()) {
      var silent = platform.accept();
      silent.expect(Frame.Hello.class);
      silent.expectClosed();

      platform.accept().expect(Frame.Hello.class);
    }
  }

  @Test
  void connects_again_after_a_fatal_unsupported_version() {
    try (var client = TestClients.on(platform).build()) {
      var refused = platform.accept();
      Frame.Hello hello = refused.expect(Frame.Hello.class);
      refused.send(Handshake.unsupported(hello, List.of(99)));
      refused.close();

      platform.accept().expect(Frame.Hello.class);
    }
  }

  @Test
  void closes_for_good_and_runs_onShutdown_when_the_platform_refuses_its_identity() throws Exception {
    Inbox<String> shutdowns = new Inbox<>();
    try (var client = TestClients.on(platform).onShutdown(shutdowns::add).build()) {
      var link = platform.accept();
      Frame.Hello hello = link.expect(Frame.Hello.class);
      link.send(Frame.Error.of(ErrorCode.IDENTITY_MISMATCH, "this socket belongs to ids", hello.correlationId()));

      assertTrue(shutdowns.take().startsWith("identity-mismatch"));
      assertTrue(client.awaitClosed(FakePlatform.TIMEOUT));
      assertEquals(ClientState.CLOSED, client.state());
      assertTrue(!platform.connectsWithin(Duration.ofMillis(300)), "it must not reconnect");
    }
  }
}

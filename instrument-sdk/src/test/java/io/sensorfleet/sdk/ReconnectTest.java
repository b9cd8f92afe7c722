package io.sensorfleet.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.Inbox;
import io.sensorfleet.sdk.testing.TestClients;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReconnectTest {

  static final Topic DNS = Topic.of("dns.queries");
  static final Topic ALERTS = Topic.of("alerts.ids");

  final FakePlatform platform = FakePlatform.notListening();

  @AfterEach
  void stop() {
    platform.close();
  }

  @Test
  void connects_once_the_socket_appears() {
    try (var client = TestClients.on(platform).build()) {
      platform.listen();

      platform.accept().expect(Frame.Hello.class);
    }
  }

  @Test
  void handshakes_again_after_the_platform_closes_the_connection() {
    platform.listen();
    try (var client = TestClients.on(platform).build()) {
      platform.acceptAndWelcome().close();

      platform.accept().expect(Frame.Hello.class);
    }
  }

  @Test
  void reconnects_after_the_platform_went_away_and_came_back() {
    platform.listen();
    try (var client = TestClients.on(platform).build()) {
      var first = platform.acceptAndWelcome();
      platform.stopListening();
      first.close();
      platform.listen();

      platform.accept().expect(Frame.Hello.class);
    }
  }

  @Test
  void reports_each_state_change_in_order() {
    platform.listen();
    Inbox<ClientState> states = new Inbox<>();
    try (var client = TestClients.on(platform).onStateChange(states::add).build()) {
      platform.acceptAndWelcome().close();
      List<ClientState> seen = new ArrayList<>(List.of(states.take(), states.take()));
      platform.acceptAndWelcome();
      seen.add(states.take());
      client.close();
      seen.add(states.take());

      assertEquals(List.of(ClientState.READY, ClientState.CONNECTING, ClientState.READY, ClientState.CLOSED), seen);
    }
  }

  @Test
  void subscribes_again_to_its_topics_on_the_new_connection() {
    platform.listen();
    try (var client = TestClients.on(platform).build()) {
      var first = platform.acceptAndWelcome();
      client.subscribe(DNS);
      client.subscribe(ALERTS);
      first.send(new Frame.Ack(first.expect(Frame.Subscribe.class).id()));
      first.send(new Frame.Ack(first.expect(Frame.Subscribe.class).id()));
      first.close();

      var second = platform.acceptAndWelcome();
      assertEquals(List.of(DNS, ALERTS),
          List.of(second.expect(Frame.Subscribe.class).topic(), second.expect(Frame.Subscribe.class).topic()));
    }
  }

  @Test
  void does_not_subscribe_again_to_a_topic_it_unsubscribed() {
    platform.listen();
    try (var client = TestClients.on(platform).build()) {
      var first = platform.acceptAndWelcome();
      client.subscribe(DNS);
      client.subscribe(ALERTS);
      client.unsubscribe(DNS);
      first.close();

      var second = platform.acceptAndWelcome();
      assertEquals(ALERTS, second.expect(Frame.Subscribe.class).topic());
    }
  }

  @Test
  void a_subscription_made_before_connecting_completes_on_the_first_connection() throws Exception {
    try (var client = TestClients.on(platform).build()) {
      var stage = client.subscribe(DNS);
      platform.listen();
      var link = platform.acceptAndWelcome();
      link.send(new Frame.Ack(link.expect(Frame.Subscribe.class).id()));

      assertNull(MessageBusTest.await(stage));
    }
  }

  @Test
  void an_acknowledged_send_fails_when_the_connection_drops_before_the_answer() {
    platform.listen();
    Inbox<ClientState> states = new Inbox<>();
    try (var client = TestClients.on(platform).onStateChange(states::add).build()) {
      var link = platform.acceptAndWelcome();
      states.takeUntil(s -> s == ClientState.READY);
      var stage = client.sendWithAck(InstrumentId.of("ids"), RawJson.of("1"));
      link.expect(Frame.Send.class);
      link.close();

      assertInstanceOf(NotConnectedException.class, MessageBusTest.failureOf(stage));
    }
  }
}

package io.sensorfleet.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.Inbox;
import io.sensorfleet.sdk.testing.TestClients;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShutdownTest {

  final FakePlatform platform = FakePlatform.start();

  @AfterEach
  void stop() {
    platform.close();
  }

  @Test
  void runs_onShutdown_with_the_platforms_reason_when_the_platform_says_bye() {
    Inbox<String> reasons = new Inbox<>();
    try (var client = TestClients.on(platform).onShutdown(reasons::add).build()) {
      platform.acceptAndWelcome().send(new Frame.Bye("upgrade"));

      assertEquals("upgrade", reasons.take());
    }
  }

  @Test
  void answers_bye_after_onShutdown_finished_and_closes() {
    AtomicBoolean shutDown = new AtomicBoolean();
    try (var client = TestClients.on(platform).onShutdown(reason -> shutDown.set(true)).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.Bye("upgrade"));

      link.expect(Frame.Bye.class);
      assertTrue(shutDown.get(), "onShutdown must finish before the answer");
      link.expectClosed();
    }
  }

  @Test
  void is_closed_for_good_after_the_platforms_bye() throws Exception {
    try (var client = TestClients.on(platform).build()) {
      platform.acceptAndWelcome().send(new Frame.Bye("upgrade"));

      assertTrue(client.awaitClosed(FakePlatform.TIMEOUT));
      assertEquals(ClientState.CLOSED, client.state());
      assertFalse(platform.connectsWithin(Duration.ofMillis(300)), "it must not reconnect");
    }
  }

  @Test
  void close_says_bye_and_closes_the_connection() {
    Inbox<ClientState> states = new Inbox<>();
    var client = TestClients.on(platform).onStateChange(states::add).build();
    var link = platform.acceptAndWelcome();
    states.takeUntil(s -> s == ClientState.READY);
    client.close();

    link.expect(Frame.Bye.class);
    link.expectClosed();
    assertEquals(ClientState.CLOSED, client.state());
  }

  @Test
  void close_does_not_run_onShutdown_nor_reconnect() throws Exception {
    Inbox<String> reasons = new Inbox<>();
    var client = TestClients.on(platform).onShutdown(reasons::add).build();
    platform.acceptAndWelcome();
    client.close();

    assertTrue(client.awaitClosed(FakePlatform.TIMEOUT));
    assertFalse(platform.connectsWithin(Duration.ofMillis(300)), "it must not reconnect");
    assertTrue(reasons.poll(Duration.ZERO).isEmpty());
  }

  @Test
  void a_callback_may_close_the_client() throws Exception {
    var self = new CompletableFuture<InstrumentClient>();
    var client = TestClients.on(platform).onMessage((from, payload) -> self.join().close()).build();
    self.complete(client);
    platform.acceptAndWelcome().send(new Frame.Deliver(InstrumentId.of("ids"), RawJson.of("1")));

    assertTrue(client.awaitClosed(FakePlatform.TIMEOUT));
  }
}

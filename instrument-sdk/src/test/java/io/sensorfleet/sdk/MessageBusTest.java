package io.sensorfleet.sdk;

import static io.sensorfleet.sdk.testing.FakePlatform.Link.assertAnswers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.Inbox;
import io.sensorfleet.sdk.testing.TestClients;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessageBusTest {

  static final InstrumentId IDS = InstrumentId.of("ids");
  static final Topic DNS = Topic.of("dns.queries");
  static final RawJson PAYLOAD = RawJson.of("{\"query\":\"example.org\"}");

  final FakePlatform platform = FakePlatform.start();

  @AfterEach
  void stop() {
    platform.close();
  }

  /** A connected client and the platform's end of it. */
  record Connected(InstrumentClient client, FakePlatform.Link link) implements AutoCloseable {
    @Override
    public void close() {
      client.close();
    }
  }

  Connected connect(InstrumentClient.Builder builder) {
    Inbox<ClientState> states = new Inbox<>();
    InstrumentClient client = builder.onStateChange(states::add).build();
    FakePlatform.Link link = platform.acceptAndWelcome();
    states.takeUntil(s -> s == ClientState.READY);
    return new Connected(client, link);
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(FakePlatform.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  static Throwable failureOf(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
    return e.getCause();
  }

  @Test
  void send_writes_a_send_frame_without_ack() {
    try (var c = connect(TestClients.on(platform))) {
      assertTrue(c.client().send(IDS, PAYLOAD));

      Frame.Send send = c.link().expect(Frame.Send.class);
      assertEquals(IDS, send.to());
      assertFalse(send.ack());
      assertEquals(PAYLOAD, send.payload());
    }
  }

  @Test
  void send_with_ack_completes_when_the_platform_acknowledges() throws Exception {
    try (var c = connect(TestClients.on(platform))) {
      var stage = c.client().sendWithAck(IDS, PAYLOAD);
      Frame.Send send = c.link().expect(Frame.Send.class);
      assertTrue(send.ack());
      c.link().send(new Frame.Ack(send.id().orElseThrow()));

      assertNull(await(stage));
    }
  }

  @Test
  void send_with_ack_fails_with_the_platforms_error() {
    try (var c = connect(TestClients.on(platform))) {
      var stage = c.client().sendWithAck(IDS, PAYLOAD);
      Frame.Send send = c.link().expect(Frame.Send.class);
      c.link().send(Frame.Error.of(ErrorCode.NOT_PERMITTED, "sample may not send to ids", send.id()));

      RefusedException refused = assertInstanceOf(RefusedException.class, failureOf(stage));
      assertEquals("not-permitted", refused.error().code());
    }
  }

  @Test
  void send_with_ack_times_out_when_the_platform_does_not_answer() {
    try (var c = connect(TestClients.on(platform).requestTimeout(Duration.ofMillis(200)))) {
      var stage = c.client().sendWithAck(IDS, PAYLOAD);

      assertInstanceOf(TimeoutException.class, failureOf(stage));
    }
  }

  @Test
  void send_returns_false_and_send_with_ack_fails_before_the_handshake() {
    try (var client = TestClients.on(platform).build()) {
      assertFalse(client.send(IDS, PAYLOAD));
      assertInstanceOf(NotConnectedException.class, failureOf(client.sendWithAck(IDS, PAYLOAD)));
    }
  }

  @Test
  void publish_writes_a_publish_frame() {
    try (var c = connect(TestClients.on(platform))) {
      assertTrue(c.client().publish(DNS, Audience.INSTRUMENTS, PAYLOAD));

      Frame.Publish publish = c.link().expect(Frame.Publish.class);
      assertEquals(DNS, publish.topic());
      assertEquals(Audience.INSTRUMENTS, publish.audience());
      assertEquals(PAYLOAD, publish.payload());
    }
  }

  @Test
  void a_refused_publish_reaches_onError_with_its_id() {
    Inbox<Frame.Error> errors = new Inbox<>();
    try (var c = connect(TestClients.on(platform).onError(errors::add))) {
      c.client().publish(DNS, Audience.USERS, PAYLOAD);
      Frame.Publish publish = c.link().expect(Frame.Publish.class);
      c.link().send(Frame.Error.of(ErrorCode.NOT_PERMITTED, "no", publish.id()));

      assertEquals(publish.id(), errors.take().re());
    }
  }

  @Test
  void subscribe_completes_when_the_platform_acknowledges() throws Exception {
    try (var c = connect(TestClients.on(platform))) {
      var stage = c.client().subscribe(DNS);
      Frame.Subscribe subscribe = c.link().expect(Frame.Subscribe.class);
      assertEquals(DNS, subscribe.topic());
      c.link().send(new Frame.Ack(subscribe.id()));

      assertNull(await(stage));
    }
  }

  @Test
  void subscribe_fails_with_the_platforms_error() {
    try (var c = connect(TestClients.on(platform))) {
      var stage = c.client().subscribe(DNS);
      Frame.Subscribe subscribe = c.link().expect(Frame.Subscribe.class);
      c.link().send(Frame.Error.of(ErrorCode.NOT_PERMITTED, "no", Optional.of(subscribe.id())));

      assertInstanceOf(RefusedException.class, failureOf(stage));
    }
  }

  @Test
  void events_of_a_subscribed_topic_reach_onEvent() throws Exception {
    Inbox<BusEvent> events = new Inbox<>();
    try (var c = connect(TestClients.on(platform).onEvent(events::add))) {
      var stage = c.client().subscribe(DNS);
      c.link().send(new Frame.Ack(c.link().expect(Frame.Subscribe.class).id()));
      await(stage);
      Instant at = Instant.parse("2026-11-22T10:15:30.123Z");
      c.link().send(new Frame.Event(DNS, IDS, Audience.INSTRUMENTS, at, PAYLOAD));

      assertEquals(new BusEvent(DNS, IDS, Audience.INSTRUMENTS, at, PAYLOAD), events.take());
    }
  }

  @Test
  void unsubscribe_sends_unsubscribe_and_completes_on_ack() throws Exception {
    try (var c = connect(TestClients.on(platform))) {
      var stage = c.client().unsubscribe(DNS);
      Frame.Unsubscribe unsubscribe = c.link().expect(Frame.Unsubscribe.class);
      assertEquals(DNS, unsubscribe.topic());
      c.link().send(new Frame.Ack(unsubscribe.id()));

      assertNull(await(stage));
    }
  }

  @Test
  void delivered_messages_reach_onMessage_with_their_sender() {
    Inbox<Map.Entry<InstrumentId, RawJson>> messages = new Inbox<>();
    try (var c = connect(TestClients.on(platform).onMessage((from, body) -> messages.add(Map.entry(from, body))))) {
      c.link().send(new Frame.Deliver(IDS, PAYLOAD));

      assertEquals(Map.entry(IDS, PAYLOAD), messages.take());
    }
  }

  @Test
  void resource_announcements_reach_onResourceAvailable() {
    Inbox<Frame.ResourceAvailable> resources = new Inbox<>();
    var announced = new Frame.ResourceAvailable(Optional.empty(), "suricata-rules", "2026.11.22-1", "a".repeat(64),
        123, "/var/lib/sensorfleet/resources/rules.tar.gz");
    try (var c = connect(TestClients.on(platform).onResourceAvailable(resources::add))) {
      c.link().send(announced);

      assertEquals(announced, resources.take());
    }
  }

  @Test
  void a_callback_may_wait_for_an_answer_read_while_it_runs() throws Exception {
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    var holder = new CompletableFuture<InstrumentClient>();
    try (var c = connect(TestClients.on(platform).onMessage((from, payload) -> {
      try {
        await(holder.join().sendWithAck(from, payload));
        outcome.complete(null);
      } catch (Exception e) {
        outcome.complete(e);
      }
    }))) {
      holder.complete(c.client());
      c.link().send(new Frame.Deliver(IDS, PAYLOAD));
      Frame.Send echo = c.link().expect(Frame.Send.class);
      c.link().send(new Frame.Ack(echo.id().orElseThrow()));

      assertNull(outcome.get(FakePlatform.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }
  }
}

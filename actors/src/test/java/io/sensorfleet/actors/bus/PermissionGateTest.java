package io.sensorfleet.actors.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.channel.InstrumentChannel;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.Grant;
import io.sensorfleet.core.permission.PermissionPolicy;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.events.UserEventLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gate's decisions and deliveries, with probes for the channels; real sockets are in it/'s bus IT. */
class PermissionGateTest {

  static final ActorTestKit kit = ActorTestKit.create();
  static final Duration WAIT = Duration.ofSeconds(5);
  static final Duration QUIET = Duration.ofMillis(300);
  static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

  static final InstrumentId SENSOR = InstrumentId.of("dns-sensor");
  static final InstrumentId PDNS = InstrumentId.of("passive-dns");
  static final InstrumentId RULES = InstrumentId.of("rule-manager");
  static final InstrumentId HOSTILE = InstrumentId.of("hostile");
  static final List<InstrumentId> ALL = List.of(SENSOR, PDNS, RULES, HOSTILE);
  static final Topic DNS = Topic.of("dns");
  static final Topic ALERTS = Topic.of("alerts.dns");
  static final Topic OTHER = Topic.of("other");

  /** The demo's policy: rules → sensor, sensor publishes dns and alerts, passive-dns subscribes to dns. */
  static final PermissionPolicy POLICY = PermissionPolicy.of(
      Grant.send(RULES, SENSOR),
      new Grant(SENSOR, Action.PUBLISH, "dns"),
      new Grant(SENSOR, Action.PUBLISH, "alerts.dns"),
      new Grant(PDNS, Action.SUBSCRIBE, "dns"));

  TestProbe<AuditLog.Command> audit;
  TestProbe<UserEventLog.Command> userEvents;
  ActorRef<PermissionGate.Command> gate;
  Map<InstrumentId, TestProbe<InstrumentChannel.Command>> channels;

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void attachFour() {
    audit = kit.createTestProbe();
    userEvents = kit.createTestProbe();
    gate = kit.spawn(PermissionGate.create(audit.getRef(), userEvents.getRef(), Clock.fixed(T0, ZoneOffset.UTC)));
    gate.tell(new PermissionGate.PolicyChanged(POLICY));
    channels = Map.of(SENSOR, kit.createTestProbe(), PDNS, kit.createTestProbe(), RULES, kit.createTestProbe(),
        HOSTILE, kit.createTestProbe());
    channels.forEach((id, probe) -> gate.tell(new PermissionGate.Attach(id, probe.getRef())));
  }

  void from(InstrumentId id, Frame frame) {
    gate.tell(new PermissionGate.FromInstrument(id, frame, channels.get(id).getRef()));
  }

  Frame next(InstrumentId id) {
    return assertInstanceOf(InstrumentChannel.Outbound.class, channels.get(id).receiveMessage(WAIT)).frame();
  }

  static Frame.Send send(String id, InstrumentId to) {
    return new Frame.Send(Optional.of(id), to, true, RawJson.of("{\"n\":\"" + id + "\"}"));
  }

  static Frame.Publish publish(Topic topic, Audience audience) {
    return new Frame.Publish(Optional.of("p"), topic, audience, RawJson.of("{\"q\":\"example.org\"}"));
  }

  void quietEverywhere() {
    channels.values().forEach(p -> p.expectNoMessage(Duration.ofMillis(50)));
  }

  @Test
  void the_permission_matrix_allows_exactly_the_granted_sends_publishes_and_subscriptions() {
    for (InstrumentId sender : ALL) {
      for (InstrumentId recipient : ALL) {
        from(sender, send("m", recipient));
        boolean allowed = sender.equals(RULES) && recipient.equals(SENSOR);
        if (allowed) {
          assertEquals(new Frame.Deliver(RULES, RawJson.of("{\"n\":\"m\"}")), next(SENSOR));
          assertEquals(new Frame.Ack("m"), next(RULES));
        } else {
          var error = assertInstanceOf(Frame.Error.class, next(sender), sender + " → " + recipient);
          assertEquals(ErrorCode.NOT_PERMITTED.wireName(), error.code(), sender + " → " + recipient);
        }
        quietEverywhere();
      }
      for (Topic topic : List.of(DNS, ALERTS, OTHER)) {
        from(sender, new Frame.Subscribe("s", topic));
        boolean mayRead = sender.equals(PDNS) && topic.equals(DNS);
        Frame answer = next(sender);
        assertEquals(mayRead, answer.equals(new Frame.Ack("s")), sender + " subscribe " + topic + ": " + answer);
        from(sender, publish(topic, Audience.INSTRUMENTS));
        boolean mayWrite = sender.equals(SENSOR) && !topic.equals(OTHER);
        if (!mayWrite) {
          var error = assertInstanceOf(Frame.Error.class, next(sender), sender + " publish " + topic);
          assertEquals(ErrorCode.NOT_PERMITTED.wireName(), error.code());
        }
      }
    }
    // Only the sensor's dns events reach the only permitted subscriber, passive-dns (subscribed by now).
    quietEverywhere();
    from(SENSOR, publish(DNS, Audience.INSTRUMENTS));
    var event = assertInstanceOf(Frame.Event.class, next(PDNS));
    assertEquals(new Frame.Event(DNS, SENSOR, Audience.INSTRUMENTS, T0, RawJson.of("{\"q\":\"example.org\"}")), event);
    quietEverywhere();
    var stats = stats();
    assertEquals(1, stats.delivered());
    assertEquals(3, stats.published());
  }

  @Test
  void a_direct_message_reaches_its_recipient_only_with_the_sender_stamped_by_the_platform() {
    from(RULES, send("m1", SENSOR));
    assertEquals(new Frame.Deliver(RULES, RawJson.of("{\"n\":\"m1\"}")), next(SENSOR));
    assertEquals(new Frame.Ack("m1"), next(RULES));
    channels.get(PDNS).expectNoMessage(QUIET);
    channels.get(HOSTILE).expectNoMessage(QUIET);
  }

  @Test
  void a_denied_send_is_answered_and_audited_without_its_payload() {
    from(HOSTILE, send("x1", SENSOR));
    var error = assertInstanceOf(Frame.Error.class, next(HOSTILE));
    assertEquals(Optional.of("x1"), error.re());
    channels.get(SENSOR).expectNoMessage(QUIET);
    var record = audit.expectMessageClass(AuditLog.Record.class, WAIT).request();
    assertEquals(PermissionGate.AUDIT_DENIED, record.action());
    assertEquals(Outcome.DENIED, record.outcome());
    assertEquals("dns-sensor", record.target());
    assertEquals(Optional.of(HOSTILE), record.instrument());
    assertTrue(record.detail().startsWith("send dns-sensor: "), record.detail());
    assertTrue(!record.detail().contains("\"n\""), "no payload in the audit: " + record.detail());
  }

  @Test
  void repeated_denials_are_audited_once_per_window_and_each_one_is_answered() {
    for (int i = 0; i < 50; i++) {
      from(HOSTILE, send("x" + i, SENSOR));
    }
    for (int i = 0; i < 50; i++) {
      assertInstanceOf(Frame.Error.class, next(HOSTILE));
    }
    audit.expectMessageClass(AuditLog.Record.class, WAIT);
    audit.expectNoMessage(QUIET);
    assertEquals(50, stats().denied());
  }

  @Test
  void a_send_to_an_instrument_that_is_not_connected_says_so() {
    gate.tell(new PermissionGate.Detach(SENSOR, channels.get(SENSOR).getRef()));
    from(RULES, send("m2", SENSOR));
    var error = assertInstanceOf(Frame.Error.class, next(RULES));
    assertEquals(ErrorCode.UNKNOWN_INSTRUMENT.wireName(), error.code());
  }

  @Test
  void a_revoked_subscription_ends_at_once_and_a_revoked_pair_can_no_longer_send() {
    from(PDNS, new Frame.Subscribe("s1", DNS));
    assertEquals(new Frame.Ack("s1"), next(PDNS));

    gate.tell(new PermissionGate.PolicyChanged(PermissionPolicy.of(new Grant(SENSOR, Action.PUBLISH, "dns"))));
    var revoked = assertInstanceOf(Frame.Error.class, next(PDNS));
    assertEquals(ErrorCode.NOT_PERMITTED.wireName(), revoked.code());
    assertTrue(revoked.message().contains("revoked"), revoked.message());

    from(SENSOR, publish(DNS, Audience.INSTRUMENTS));
    channels.get(PDNS).expectNoMessage(QUIET);
    from(RULES, send("m3", SENSOR));
    assertEquals(ErrorCode.NOT_PERMITTED.wireName(), assertInstanceOf(Frame.Error.class, next(RULES)).code());
    channels.get(SENSOR).expectNoMessage(QUIET);
  }

  @Test
  void a_disconnect_ends_the_subscriptions_of_that_connection() {
    from(PDNS, new Frame.Subscribe("s1", DNS));
    next(PDNS);
    gate.tell(new PermissionGate.Detach(PDNS, channels.get(PDNS).getRef()));
    gate.tell(new PermissionGate.Attach(PDNS, channels.get(PDNS).getRef()));
    from(SENSOR, publish(DNS, Audience.INSTRUMENTS));
    channels.get(PDNS).expectNoMessage(QUIET);
    assertEquals(Map.of(), stats().subscriptions());
  }

  @Test
  void users_events_are_stored_and_never_delivered_to_instruments() {
    from(PDNS, new Frame.Subscribe("s1", DNS));
    next(PDNS);
    from(SENSOR, publish(ALERTS, Audience.USERS));
    var stored = userEvents.expectMessageClass(UserEventLog.Append.class, WAIT).event();
    assertEquals(ALERTS.value(), stored.topic());
    assertEquals(SENSOR, stored.from());
    assertEquals(T0, stored.occurredAt());
    assertEquals("{\"q\":\"example.org\"}", stored.payload());
    channels.get(PDNS).expectNoMessage(QUIET);
  }

  @Test
  void frames_wait_until_the_policy_is_known() {
    var fresh = kit.spawn(PermissionGate.create(audit.getRef(), userEvents.getRef(), Clock.systemUTC()));
    TestProbe<InstrumentChannel.Command> rules = kit.createTestProbe();
    TestProbe<InstrumentChannel.Command> sensor = kit.createTestProbe();
    fresh.tell(new PermissionGate.Attach(RULES, rules.getRef()));
    fresh.tell(new PermissionGate.Attach(SENSOR, sensor.getRef()));
    fresh.tell(new PermissionGate.FromInstrument(RULES, send("early", SENSOR), rules.getRef()));
    rules.expectNoMessage(QUIET);
    fresh.tell(new PermissionGate.PolicyChanged(POLICY));
    assertInstanceOf(Frame.Deliver.class,
        assertInstanceOf(InstrumentChannel.Outbound.class, sensor.receiveMessage(WAIT)).frame());
  }

  PermissionGate.Stats stats() {
    TestProbe<PermissionGate.Stats> reply = kit.createTestProbe();
    gate.tell(new PermissionGate.GetStats(reply.getRef()));
    return reply.receiveMessage(WAIT);
  }

  @Test
  void a_send_to_the_platform_needs_no_grant_and_reaches_only_the_platform_inbox_stamped_with_the_sender() {
    TestProbe<PermissionGate.ToPlatform> platform = kit.createTestProbe();
    gate.tell(new PermissionGate.SetPlatformInbox(platform.getRef()));
    from(HOSTILE, send("m", PermissionGate.PLATFORM));
    assertEquals(new PermissionGate.ToPlatform(HOSTILE, RawJson.of("{\"n\":\"m\"}")), platform.receiveMessage(WAIT));
    assertEquals(new Frame.Ack("m"), next(HOSTILE));
    quietEverywhere();
  }

  @Test
  void a_platform_frame_goes_to_the_attached_instrument_only_and_says_whether_it_was_attached() {
    TestProbe<Boolean> reply = kit.createTestProbe();
    var frame = new Frame.Deliver(PermissionGate.PLATFORM, RawJson.of("{\"type\":\"jobs\",\"jobs\":[]}"));
    gate.tell(new PermissionGate.ToInstrument(PDNS, frame, reply.getRef()));
    assertEquals(true, reply.receiveMessage(WAIT));
    assertEquals(frame, next(PDNS));
    gate.tell(new PermissionGate.ToInstrument(InstrumentId.of("absent"), frame, reply.getRef()));
    assertEquals(false, reply.receiveMessage(WAIT));
    quietEverywhere();
  }
}

package io.sensorfleet.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.InstrumentId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditLogTest {

  static final ActorTestKit kit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ActorTestKit.applicationTestConfig()));

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  static final Instant T0 = Instant.parse("2026-11-22T08:00:00.123456789Z");
  static final InstrumentId IDS = InstrumentId.of("ids");

  // The serialization settings enabled by default make the kit round-trip every command, event and state
  // through jackson-json, as the journal will.
  private EventSourcedBehaviorTestKit<AuditLog.Command, AuditLog.Event, AuditLog.State> log;

  @BeforeEach
  void freshLog() {
    log = EventSourcedBehaviorTestKit.create(kit.system(), AuditLog.create(new SteppingClock(T0, Duration.ofSeconds(1))));
    log.clear();
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<AuditLog.Command, AuditLog.Event, AuditLog.State, AuditEntry>
      record(AuditRequest request) {
    return log.runCommand(replyTo -> new AuditLog.Record(request, replyTo));
  }

  @Test
  void replies_the_stored_entry_with_seq_and_time_from_the_clock() {
    var request = AuditRequest.of(Principal.user("alice"), "instrument.start", AuditKind.LIFECYCLE, Outcome.OK, "started")
        .aboutInstrument(IDS);

    AuditEntry entry = record(request).reply();

    assertEquals(new AuditEntry(1, Instant.parse("2026-11-22T08:00:00.123456Z"), Principal.user("alice"),
        "instrument.start", AuditKind.LIFECYCLE, "ids", Optional.of(IDS), Outcome.OK, "started"), entry);
  }

  @Test
  void persists_one_self_contained_recorded_event_per_request() {
    var request = AuditRequest.platform("sensor.start", AuditKind.PLATFORM, "booted");

    var result = record(request);

    assertEquals(new AuditLog.Recorded(Instant.parse("2026-11-22T08:00:00.123456Z"), Principal.platform(),
        "sensor.start", AuditKind.PLATFORM, "", Optional.empty(), Outcome.OK, "booted"), result.event());
  }

  @Test
  void numbers_entries_one_by_one_in_the_state() {
    record(AuditRequest.platform("a", AuditKind.PLATFORM, ""));
    record(AuditRequest.platform("b", AuditKind.PLATFORM, ""));
    var third = record(AuditRequest.platform("c", AuditKind.PLATFORM, ""));

    assertEquals(3, third.reply().seq());
    assertEquals(new AuditLog.State(3), third.state());
  }

  @Test
  void continues_the_seq_after_a_restart() {
    record(AuditRequest.platform("a", AuditKind.PLATFORM, ""));
    record(AuditRequest.platform("b", AuditKind.PLATFORM, ""));

    log.restart();
    AuditEntry next = record(AuditRequest.platform("c", AuditKind.PLATFORM, "")).reply();

    assertEquals(3, next.seq());
  }
}

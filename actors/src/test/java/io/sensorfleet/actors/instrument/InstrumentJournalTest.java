package io.sensorfleet.actors.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.actors.instrument.InstrumentJournal.Desired;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ManifestParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InstrumentJournalTest {

  static final ActorTestKit kit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ActorTestKit.applicationTestConfig()));
  static final InstrumentId ID = InstrumentId.of("dns-sensor");
  static final Principal ALICE = Principal.user("alice");
  static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

  private EventSourcedBehaviorTestKit<InstrumentJournal.Command, InstrumentJournal.Event, InstrumentJournal.State>
      journal;

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    // The kit checks that every command, event and state survives Pekko's jackson-json serialization.
    journal = EventSourcedBehaviorTestKit.create(kit.system(),
        InstrumentJournal.create(ID, Clock.fixed(T0, ZoneOffset.UTC)));
  }

  private static InstrumentJournal.Install install() {
    return new InstrumentJournal.Install(ManifestParser.parseOrThrow("""
        id: dns-sensor
        image: sensorfleet/jvm
        network: {mode: passive, filter: "udp port 53"}
        permissions: [{publish: dns}]
        config: {rules: []}
        """), ALICE);
  }

  private InstrumentJournal.State append(InstrumentJournal.Change change) {
    return journal.<InstrumentJournal.State>runCommand(r -> new InstrumentJournal.Append(change, r)).reply();
  }

  @Test
  void starts_empty_and_not_installed() {
    var state = journal.<InstrumentJournal.State>runCommand(InstrumentJournal.GetState::new).reply();
    assertFalse(state.installed());
    assertEquals(Actual.NOT_INSTALLED, state.actual());
  }

  @Test
  void install_keeps_the_manifest_and_wants_the_instrument_stopped() {
    var state = append(install());
    assertTrue(state.installed());
    assertEquals(Desired.STOPPED, state.desired());
    assertEquals(Actual.INSTALLED, state.actual());
    assertEquals(ID, state.manifest().orElseThrow().id());
  }

  @Test
  void desired_and_actual_states_survive_a_restart() {
    append(install());
    append(new InstrumentJournal.Want(Desired.RUNNING, ALICE));
    append(new InstrumentJournal.Observe(Actual.RUNNING, "hello from 1.0"));
    journal.restart();
    var state = journal.<InstrumentJournal.State>runCommand(InstrumentJournal.GetState::new).reply();
    assertEquals(Desired.RUNNING, state.desired());
    assertEquals(Actual.RUNNING, state.actual());
    assertEquals("hello from 1.0", state.detail());
    assertEquals(T0, state.changedAt().orElseThrow());
  }

  @Test
  void removal_keeps_the_record_but_the_instrument_is_no_longer_installed() {
    append(install());
    var state = append(new InstrumentJournal.Remove(true, ALICE));
    assertFalse(state.installed());
    assertEquals("purged", state.detail());
  }

  @Test
  void configuration_versions_count_up_and_keep_the_instruments_answer() {
    append(install());
    append(new InstrumentJournal.SetConfig("{\"a\":1}", ALICE, ""));
    append(new InstrumentJournal.SetConfig("{\"a\":2}", ALICE, ""));
    append(new InstrumentJournal.AcknowledgeConfig(1));
    var state = append(new InstrumentJournal.RejectConfig(2, "a must be 1"));
    assertEquals(2, state.configs().size());
    assertEquals(InstrumentJournal.ConfigState.ACCEPTED, state.configs().get(0).state());
    assertEquals("a must be 1", state.configs().get(1).reason());
    assertEquals(1, state.latestAccepted().orElseThrow().version());
  }

  @Test
  void an_answer_for_a_version_that_is_not_pending_changes_nothing() {
    append(install());
    append(new InstrumentJournal.SetConfig("{}", ALICE, ""));
    append(new InstrumentJournal.AcknowledgeConfig(1));
    var result = journal.<InstrumentJournal.State>runCommand(
        r -> new InstrumentJournal.Append(new InstrumentJournal.RejectConfig(1, "late"), r));
    assertTrue(result.events().isEmpty());
    assertEquals(InstrumentJournal.ConfigState.ACCEPTED, result.reply().configs().getFirst().state());
  }
}

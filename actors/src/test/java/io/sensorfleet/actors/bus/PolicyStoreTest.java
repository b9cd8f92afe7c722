package io.sensorfleet.actors.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.Grant;
import io.sensorfleet.core.permission.PermissionPolicy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PolicyStoreTest {

  static final ActorTestKit kit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ActorTestKit.applicationTestConfig()));
  static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
  static final Principal ADMIN = Principal.user("admin");
  static final Grant RULES_TO_SENSOR = Grant.send(InstrumentId.of("rule-manager"), InstrumentId.of("dns-sensor"));
  static final Grant PDNS_READS_DNS = new Grant(InstrumentId.of("passive-dns"), Action.SUBSCRIBE, "dns");

  TestProbe<PermissionGate.Command> gate;
  TestProbe<AuditLog.Command> audit;
  EventSourcedBehaviorTestKit<PolicyStore.Command, PolicyStore.Event, PolicyStore.State> store;

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    gate = kit.createTestProbe();
    audit = kit.createTestProbe();
    // The kit checks that commands, events and state survive Pekko's jackson serialization.
    store = EventSourcedBehaviorTestKit.create(kit.system(),
        PolicyStore.create(gate.getRef(), audit.getRef(), Clock.fixed(T0, ZoneOffset.UTC)));
  }

  @Test
  void a_fresh_sensor_denies_everything_and_tells_the_gate_so() {
    assertEquals(new PermissionGate.PolicyChanged(PermissionPolicy.empty()),
        gate.expectMessageClass(PermissionGate.PolicyChanged.class));
    PolicyStore.State state = store.<PolicyStore.State>runCommand(PolicyStore.Get::new).reply();
    assertEquals(0, state.version());
    assertEquals(PermissionPolicy.empty(), state.policy());
  }

  @Test
  void a_grant_is_persisted_audited_with_its_principal_and_sent_to_the_gate() {
    gate.expectMessageClass(PermissionGate.PolicyChanged.class);
    var result = store.<StatusReply<PolicyStore.State>>runCommand(
        r -> new PolicyStore.AddGrant(RULES_TO_SENSOR, ADMIN, r));
    assertEquals(1, result.reply().getValue().version());
    assertEquals(new PolicyStore.PolicyReplaced(PermissionPolicy.of(RULES_TO_SENSOR), ADMIN, T0), result.event());
    var record = audit.expectMessageClass(AuditLog.Record.class).request();
    assertEquals(PolicyStore.AUDIT_CHANGED, record.action());
    assertEquals(ADMIN, record.principal());
    assertEquals("version 1: granted " + RULES_TO_SENSOR.describe(), record.detail());
    assertEquals(new PermissionGate.PolicyChanged(PermissionPolicy.of(RULES_TO_SENSOR)),
        gate.expectMessageClass(PermissionGate.PolicyChanged.class));
  }

  @Test
  void an_unchanged_policy_records_nothing() {
    store.<StatusReply<PolicyStore.State>>runCommand(r -> new PolicyStore.AddGrant(RULES_TO_SENSOR, ADMIN, r));
    var again = store.<StatusReply<PolicyStore.State>>runCommand(
        r -> new PolicyStore.AddGrant(RULES_TO_SENSOR, ADMIN, r));
    assertTrue(again.events().isEmpty());
    assertEquals(1, again.reply().getValue().version());
  }

  @Test
  void a_replace_against_a_stale_version_is_refused_and_changes_nothing() {
    store.<StatusReply<PolicyStore.State>>runCommand(r -> new PolicyStore.AddGrant(RULES_TO_SENSOR, ADMIN, r));
    var stale = store.<StatusReply<PolicyStore.State>>runCommand(
        r -> new PolicyStore.Replace(PermissionPolicy.of(PDNS_READS_DNS), 0, ADMIN, r));
    assertTrue(stale.reply().isError());
    assertTrue(stale.reply().getError().getMessage().contains("version 1"), stale.reply().getError().getMessage());
    assertTrue(stale.events().isEmpty());
  }

  @Test
  void a_replace_names_what_was_granted_and_revoked() {
    store.<StatusReply<PolicyStore.State>>runCommand(r -> new PolicyStore.AddGrant(RULES_TO_SENSOR, ADMIN, r));
    audit.expectMessageClass(AuditLog.Record.class);
    store.<StatusReply<PolicyStore.State>>runCommand(r -> new PolicyStore.Replace(PermissionPolicy.of(PDNS_READS_DNS), 1, ADMIN, r));
    String detail = audit.expectMessageClass(AuditLog.Record.class).request().detail();
    assertEquals("version 2: granted " + PDNS_READS_DNS.describe() + "; revoked " + RULES_TO_SENSOR.describe(),
        detail);
  }

  @Test
  void the_policy_survives_a_restart() {
    store.<StatusReply<PolicyStore.State>>runCommand(r -> new PolicyStore.AddGrant(RULES_TO_SENSOR, ADMIN, r));
    store.restart();
    PolicyStore.State state = store.<PolicyStore.State>runCommand(PolicyStore.Get::new).reply();
    assertEquals(PermissionPolicy.of(RULES_TO_SENSOR), state.policy());
    assertEquals(1, state.version());
  }
}

package io.sensorfleet.actors.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.StubNetwork;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.network.NetworkAllowlist;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NetworkStoreTest {

  static final ActorTestKit kit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ActorTestKit.applicationTestConfig()));
  static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
  static final Principal ADMIN = Principal.user("admin");
  static final NetworkAllowlist CONFIG = new NetworkAllowlist(Set.of("br-lan"), Set.of("eth2"), Set.of("eth1"));

  StubNetwork network;
  TestProbe<AuditLog.Command> audit;
  EventSourcedBehaviorTestKit<NetworkStore.Command, NetworkStore.Event, NetworkStore.State> store;

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    network = new StubNetwork(CONFIG);
    audit = kit.createTestProbe();
    // The kit checks that commands, events and state survive Pekko's jackson serialization.
    store = EventSourcedBehaviorTestKit.create(kit.system(),
        NetworkStore.create(network, audit.getRef(), Clock.fixed(T0, ZoneOffset.UTC)));
  }

  @Test
  void the_sensor_configs_allowlist_is_in_force_until_a_change() {
    NetworkStore.State state = store.<NetworkStore.State>runCommand(NetworkStore.Get::new).reply();
    assertEquals(0, state.version());
    assertEquals(CONFIG, state.allowlist());
    assertEquals(0, network.applied);
  }

  @Test
  void a_change_is_persisted_audited_and_then_put_in_force() {
    var result = store.<StatusReply<NetworkStore.State>>runCommand(
        r -> new NetworkStore.Replace(Set.of("br-lan", "br-lab"), Set.of(), ADMIN, r));
    assertEquals(new NetworkStore.AllowlistSet(Set.of("br-lan", "br-lab"), Set.of(), ADMIN, T0), result.event());
    assertEquals(1, result.reply().getValue().version());
    var record = audit.expectMessageClass(AuditLog.Record.class).request();
    assertEquals(NetworkStore.AUDIT_CHANGED, record.action());
    assertEquals(ADMIN, record.principal());
    assertEquals("version 1: bridges +br-lab; dedicated -eth2", record.detail());
    assertEquals(new NetworkAllowlist(Set.of("br-lab", "br-lan"), Set.of(), Set.of("eth1")), network.allowlist);
  }

  @Test
  void a_capture_interface_cannot_become_a_bridge_and_nothing_is_recorded() {
    var result = store.<StatusReply<NetworkStore.State>>runCommand(
        r -> new NetworkStore.Replace(Set.of("eth1"), Set.of(), ADMIN, r));
    assertTrue(result.events().isEmpty());
    assertTrue(result.reply().isError());
    assertEquals(CONFIG, network.allowlist);
    audit.expectNoMessage();
  }

  @Test
  void after_a_restart_the_last_change_is_put_in_force_again() {
    store.<StatusReply<NetworkStore.State>>runCommand(
        r -> new NetworkStore.Replace(Set.of("br-lab"), Set.of("eth3"), ADMIN, r));
    network.allowlist = CONFIG;   // as after a sensor restart: the provisioner starts from the config
    store.restart();
    assertEquals(new NetworkAllowlist(Set.of("br-lab"), Set.of("eth3"), Set.of("eth1")), network.allowlist);
  }
}

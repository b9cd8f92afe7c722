package io.sensorfleet.actors.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Role;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserDirectoryTest {

  static final ActorTestKit kit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ActorTestKit.applicationTestConfig()));
  static final Principal ADMIN = Principal.user("admin");
  static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

  private EventSourcedBehaviorTestKit<UserDirectory.Command, UserDirectory.Event, UserDirectory.State> users;
  private TestProbe<AuditLog.Command> audits;

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    audits = kit.createTestProbe();
    users = EventSourcedBehaviorTestKit.create(kit.system(),
        UserDirectory.create(audits.ref(), Clock.fixed(T0, ZoneOffset.UTC)));
    assertTrue(users.<Boolean>runCommand(r -> new UserDirectory.EnsureAdmin("hash-admin", r)).reply());
    audits.receiveMessage();
  }

  private StatusReply<UserDirectory.User> create(String name, Role role) {
    return users.<StatusReply<UserDirectory.User>>runCommand(r -> new UserDirectory.Create(name, "hash-" + name, role,
        Set.of(), ADMIN, r)).reply();
  }

  @Test
  void the_first_start_creates_admin_and_later_starts_do_not() {
    var admin = users.<Optional<UserDirectory.User>>runCommand(r -> new UserDirectory.Get("admin", r)).reply();
    assertEquals(Role.ADMIN, admin.orElseThrow().role());
    assertFalse(users.<Boolean>runCommand(r -> new UserDirectory.EnsureAdmin("other", r)).reply());
  }

  @Test
  void creates_a_user_and_audits_it_without_the_hash() {
    var created = create("alice", Role.OPERATOR);
    assertEquals(Role.OPERATOR, created.getValue().role());
    var record = (AuditLog.Record) audits.receiveMessage();
    assertEquals("user created", record.request().action());
    assertEquals(ADMIN, record.request().principal());
    assertEquals("user:alice", record.request().target());
    assertFalse(record.request().detail().contains("hash"));
  }

  @Test
  void refuses_a_taken_or_invalid_name() {
    create("alice", Role.VIEWER);
    assertTrue(create("alice", Role.ADMIN).isError());
    assertTrue(create("Bob Smith", Role.VIEWER).isError());
  }

  @Test
  void changes_role_and_grants_and_survives_a_restart() {
    create("bob", Role.VIEWER);
    users.<StatusReply<UserDirectory.User>>runCommand(r -> new UserDirectory.Update("bob", Optional.of(Role.OPERATOR),
        Optional.of(Set.of(InstrumentId.of("ids"))), ADMIN, r));
    users.restart();
    var bob = users.<Optional<UserDirectory.User>>runCommand(r -> new UserDirectory.Get("bob", r)).reply()
        .orElseThrow();
    assertEquals(Role.OPERATOR, bob.role());
    assertEquals(Set.of(InstrumentId.of("ids")), bob.uiGrants());
  }

  @Test
  void the_last_admin_cannot_be_demoted_or_deleted() {
    var demoted = users.<StatusReply<UserDirectory.User>>runCommand(r -> new UserDirectory.Update("admin",
        Optional.of(Role.VIEWER), Optional.empty(), ADMIN, r)).reply();
    assertTrue(demoted.isError());
    var deleted = users.<StatusReply<Done>>runCommand(r -> new UserDirectory.Delete("admin", ADMIN, r)).reply();
    assertTrue(deleted.isError());
  }

  @Test
  void deletes_a_user() {
    create("carol", Role.VIEWER);
    users.<StatusReply<Done>>runCommand(r -> new UserDirectory.Delete("carol", ADMIN, r));
    var all = users.<UserDirectory.Users>runCommand(UserDirectory.GetAll::new).reply();
    assertEquals(List.of("admin"), all.users().stream().map(UserDirectory.User::name).toList());
  }

  @Test
  void a_user_prints_without_its_hash() {
    var alice = create("alice", Role.VIEWER).getValue();
    assertFalse(alice.toString().contains("hash"));
  }
}

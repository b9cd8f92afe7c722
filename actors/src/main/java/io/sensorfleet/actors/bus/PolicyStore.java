package io.sensorfleet.actors.bus;

import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.JsonSerializable;
import io.sensorfleet.core.permission.Grant;
import io.sensorfleet.core.permission.PermissionPolicy;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The operator-owned bus permission policy, event-sourced: every version is in the journal with who set it, every
 * change is audited (what was granted and revoked), and the {@link PermissionGate} is told the new policy right
 * after it is persisted, so it takes effect without a restart. Manifests only request permissions; nothing here
 * reads them. A fresh sensor starts with the empty policy: everything denied.
 */
public final class PolicyStore
    extends EventSourcedBehaviorWithEnforcedReplies<PolicyStore.Command, PolicyStore.Event, PolicyStore.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("permission-policy");

  /** Audit action of a policy change. */
  public static final String AUDIT_CHANGED = "permissions changed";

  public sealed interface Command extends JsonSerializable {}

  /** The current policy and its version (0 before the first change). */
  public record Get(ActorRef<State> replyTo) implements Command {}

  /**
   * Replaces the whole policy. With {@code expectedVersion} set, refused unless the policy is still at that
   * version (an operator's edit of a policy someone else changed meanwhile). Replies the new state.
   */
  public record Replace(PermissionPolicy policy, long expectedVersion, Principal by,
                        ActorRef<StatusReply<State>> replyTo) implements Command {
    /** {@code expectedVersion} meaning "whatever the current version is". */
    public static final long ANY_VERSION = -1;
  }

  /** Adds one grant (nothing changes, and nothing is recorded, if it is there already). */
  public record AddGrant(Grant grant, Principal by, ActorRef<StatusReply<State>> replyTo) implements Command {}

  /** Removes one grant (nothing changes if it is not there). */
  public record RemoveGrant(Grant grant, Principal by, ActorRef<StatusReply<State>> replyTo) implements Command {}

  public sealed interface Event extends JsonSerializable {}

  public record PolicyReplaced(PermissionPolicy policy, Principal by, Instant at) implements Event {}

  /** The policy in force and how many changes led to it. */
  public record State(PermissionPolicy policy, long version, Instant changedAt) implements JsonSerializable {}

  private final ActorRef<PermissionGate.Command> gate;
  private final ActorRef<AuditLog.Command> audit;
  private final Clock clock;
  private final ActorRef<AuditEntry> noReply;

  public static Behavior<Command> create(ActorRef<PermissionGate.Command> gate, ActorRef<AuditLog.Command> audit,
                                         Clock clock) {
    return Behaviors.setup(ctx -> new PolicyStore(gate, audit, clock, ctx.getSystem().ignoreRef()));
  }

  private PolicyStore(ActorRef<PermissionGate.Command> gate, ActorRef<AuditLog.Command> audit, Clock clock,
                      ActorRef<AuditEntry> noReply) {
    // A write the journal refuses (full disk, database down) restarts this store from the journal, after a delay:
    // the change was not made, the caller's ask times out (503), and writes work again once the journal does.
    super(PERSISTENCE_ID, org.apache.pekko.actor.typed.SupervisorStrategy.restartWithBackoff(
        java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(10), 0.2));
    this.noReply = noReply;
    this.gate = gate;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State(PermissionPolicy.empty(), 0, Instant.EPOCH);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
        .onCommand(Replace.class, (state, replace) -> {
          if (replace.expectedVersion() != Replace.ANY_VERSION && replace.expectedVersion() != state.version()) {
            return Effect().reply(replace.replyTo(), StatusReply.error("the policy is at version " + state.version()
                + ", not " + replace.expectedVersion() + ": someone changed it meanwhile; reload and retry"));
          }
          return change(state, replace.policy(), replace.by(), replace.replyTo());
        })
        .onCommand(AddGrant.class, (state, add) ->
            change(state, state.policy().withGrant(add.grant()), add.by(), add.replyTo()))
        .onCommand(RemoveGrant.class, (state, remove) ->
            change(state, state.policy().withoutGrant(remove.grant()), remove.by(), remove.replyTo()))
        .build();
  }

  private ReplyEffect<Event, State> change(
      State state, PermissionPolicy next, Principal by, ActorRef<StatusReply<State>> replyTo) {
    if (next.equals(state.policy())) {
      return Effect().reply(replyTo, StatusReply.success(state));
    }
    String detail = describeChange(state.policy(), next);
    return Effect().persist(new PolicyReplaced(next, by, clock.instant()))
        .thenRun(after -> {
          audit.tell(new AuditLog.Record(AuditRequest.of(by, AUDIT_CHANGED, AuditKind.PERMISSION, Outcome.OK,
              "version " + after.version() + ": " + detail), noReply));
          gate.tell(new PermissionGate.PolicyChanged(after.policy()));
        })
        .thenReply(replyTo, StatusReply::success);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(PolicyReplaced.class, (state, replaced) ->
            new State(replaced.policy(), state.version() + 1, replaced.at()))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> gate.tell(new PermissionGate.PolicyChanged(state.policy())))
        .build();
  }

  /** "granted a, b; revoked c" for the audit record (grants are names and actions, never payloads). */
  static String describeChange(PermissionPolicy before, PermissionPolicy after) {
    var granted = new TreeSet<>(after.grants());
    granted.removeAll(before.grants());
    var revoked = new TreeSet<>(before.grants());
    revoked.removeAll(after.grants());
    List<String> parts = new ArrayList<>();
    if (!granted.isEmpty()) {
      parts.add("granted " + String.join(", ", granted.stream().map(Grant::describe).toList()));
    }
    if (!revoked.isEmpty()) {
      parts.add("revoked " + String.join(", ", revoked.stream().map(Grant::describe).toList()));
    }
    return parts.isEmpty() ? "no change" : String.join("; ", parts);
  }
}

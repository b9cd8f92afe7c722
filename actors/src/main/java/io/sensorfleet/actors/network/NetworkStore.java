package io.sensorfleet.actors.network;

import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.JsonSerializable;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkProvisioner;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
 * Which bridges and dedicated interfaces Instruments may use, as an admin set them through Fleet Management,
 * event-sourced: the sensor config ({@code sensor.bridges}, {@code sensor.interfaces.dedicated}) is the starting
 * point, each change is journaled with who made it, then audited ({@code network allowlist changed}) and only then
 * put in force in the {@link NetworkProvisioner}, so a change the journal did not take changes nothing. Capture
 * interfaces stay the config's (the Capture Engine reads them). On recovery the newest set is put in force again.
 */
public final class NetworkStore
    extends EventSourcedBehaviorWithEnforcedReplies<NetworkStore.Command, NetworkStore.Event, NetworkStore.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("network-allowlist");

  /** Audit action of a change. */
  public static final String AUDIT_CHANGED = "network allowlist changed";

  public sealed interface Command extends JsonSerializable {}

  /** The allowlist in force and its version (0: the sensor config's, never changed here). */
  public record Get(ActorRef<State> replyTo) implements Command {}

  /**
   * Replaces the bridges and dedicated interfaces Instruments may use. Refused (an error reply naming why) when a
   * name is invalid or also a capture interface. Replies the new state.
   */
  public record Replace(Set<String> bridges, Set<String> dedicatedInterfaces, Principal by,
                    ActorRef<StatusReply<State>> replyTo) implements Command {}

  public sealed interface Event extends JsonSerializable {}

  public record AllowlistSet(Set<String> bridges, Set<String> dedicatedInterfaces, Principal by,
                             Instant at) implements Event {}

  /** The allowlist in force, how many changes led to it, and when the last was made. */
  public record State(NetworkAllowlist allowlist, long version, Instant changedAt) implements JsonSerializable {}

  private final NetworkProvisioner network;
  private final NetworkAllowlist configured;
  private final ActorRef<AuditLog.Command> audit;
  private final Clock clock;
  private final ActorRef<AuditEntry> noReply;

  /**
   * @param network puts each allowlist in force; its allowlist at creation is the sensor config's, the starting point
   */
  public static Behavior<Command> create(NetworkProvisioner network, ActorRef<AuditLog.Command> audit, Clock clock) {
    return Behaviors.setup(ctx -> new NetworkStore(network, audit, clock, ctx.getSystem().ignoreRef()));
  }

  private NetworkStore(NetworkProvisioner network, ActorRef<AuditLog.Command> audit, Clock clock,
                       ActorRef<AuditEntry> noReply) {
    // As PolicyStore: a refused write restarts the store after a delay; the change was not made.
    super(PERSISTENCE_ID, org.apache.pekko.actor.typed.SupervisorStrategy.restartWithBackoff(
        java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(10), 0.2));
    this.network = network;
    this.configured = network.allowlist();
    this.audit = audit;
    this.clock = clock;
    this.noReply = noReply;
  }

  @Override
  public State emptyState() {
    return new State(configured, 0, Instant.EPOCH);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
        .onCommand(Replace.class, this::onReplace)
        .build();
  }

  private ReplyEffect<Event, State> onReplace(State state, Replace set) {
    NetworkAllowlist next;
    try {
      next = new NetworkAllowlist(set.bridges(), set.dedicatedInterfaces(), state.allowlist().captureInterfaces());
    } catch (IllegalArgumentException e) {
      return Effect().reply(set.replyTo(), StatusReply.error(e.getMessage()));
    }
    if (next.equals(state.allowlist())) {
      return Effect().reply(set.replyTo(), StatusReply.success(state));
    }
    String detail = describe(state.allowlist(), next);
    return Effect().persist(new AllowlistSet(Set.copyOf(set.bridges()), Set.copyOf(set.dedicatedInterfaces()),
            set.by(), clock.instant()))
        .thenRun(after -> {
          audit.tell(new AuditLog.Record(AuditRequest.of(set.by(), AUDIT_CHANGED, AuditKind.NETWORK, Outcome.OK,
              "version " + after.version() + ": " + detail), noReply));
          network.useAllowlist(after.allowlist());
        })
        .thenReply(set.replyTo(), StatusReply::success);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(AllowlistSet.class, (state, e) -> new State(allowlist(e, state.allowlist().captureInterfaces()),
            state.version() + 1, e.at()))
        .build();
  }

  /** The event's lists beside the capture interfaces; a name the config has since made a capture one is dropped. */
  private static NetworkAllowlist allowlist(AllowlistSet e, Set<String> capture) {
    var bridges = new TreeSet<>(e.bridges());
    bridges.removeAll(capture);
    var dedicated = new TreeSet<>(e.dedicatedInterfaces());
    dedicated.removeAll(capture);
    dedicated.removeAll(bridges);
    return new NetworkAllowlist(bridges, dedicated, capture);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.version() > 0) {
            network.useAllowlist(state.allowlist());
          }
        })
        .build();
  }

  /** "bridges +br-lab -br-old; dedicated +eth3" for the audit record. */
  static String describe(NetworkAllowlist before, NetworkAllowlist after) {
    List<String> parts = new ArrayList<>();
    diff("bridges", before.bridges(), after.bridges(), parts);
    diff("dedicated", before.dedicatedInterfaces(), after.dedicatedInterfaces(), parts);
    return parts.isEmpty() ? "no change" : String.join("; ", parts);
  }

  private static void diff(String what, Set<String> before, Set<String> after,
                           List<String> parts) {
    List<String> changes = new ArrayList<>();
    new TreeSet<>(after).stream().filter(n -> !before.contains(n)).forEach(n -> changes.add("+" + n));
    new TreeSet<>(before).stream().filter(n -> !after.contains(n)).forEach(n -> changes.add("-" + n));
    if (!changes.isEmpty()) {
      parts.add(what + " " + String.join(" ", changes));
    }
  }
}

package io.sensorfleet.audit;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.JsonSerializable;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The sensor's audit log: one event-sourced actor (persistence id {@value #PERSISTENCE_ID}) that appends every
 * audited action to the journal. Its events are never deleted; the journal is the record, and the read side
 * ({@link AuditReadSide}, queried through {@link AuditQueries}) is derived from it.
 *
 * <p>Spawn it once, after {@link JournalSchema#ensure}. Anyone may send {@link Record}.
 */
public final class AuditLog extends EventSourcedBehaviorWithEnforcedReplies<AuditLog.Command, AuditLog.Event, AuditLog.State> {

  /** The single persistence id: one log gives one total order, and its sequence numbers are the entries' seq. */
  public static final String PERSISTENCE_ID = "audit-log";

  public sealed interface Command extends JsonSerializable {}

  /**
   * Records {@code request}. Sent by anyone who audits (guardian, registry, permission gate, routes). The reply,
   * once the event is stored, is the entry with its seq and time; pass {@code system.ignoreRef()} if not needed.
   */
  public record Record(AuditRequest request, ActorRef<AuditEntry> replyTo) implements Command {
    public Record {
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  public sealed interface Event extends JsonSerializable {}

  /** An action was recorded. Self-contained: the read side needs nothing else to build its row. */
  public record Recorded(Instant occurredAt, Principal principal, String action, AuditKind kind, String target,
                         Optional<InstrumentId> instrument, Outcome outcome, String detail) implements Event {

    static Recorded of(Instant occurredAt, AuditRequest r) {
      return new Recorded(occurredAt, r.principal(), r.action(), r.kind(), r.target(), r.instrument(), r.outcome(),
          r.detail());
    }

    /** This event as the entry with journal sequence number {@code seq}. */
    public AuditEntry toEntry(long seq) {
      return new AuditEntry(seq, occurredAt, principal, action, kind, target, instrument, outcome, detail);
    }
  }

  /** @param lastSeq the seq of the newest entry, 0 when the log is empty */
  public record State(long lastSeq) implements JsonSerializable {
    State next() {
      return new State(lastSeq + 1);
    }
  }

  /**
   * The audit log behaviour. Backoffs after journal failures come from {@code sensor.audit.log}.
   *
   * @param clock stamps {@link AuditEntry#occurredAt()}; tests pass a fixed or stepping clock
   */
  public static Behavior<Command> create(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    return Behaviors.setup(ctx -> new AuditLog(ctx, clock, AuditSettings.fromConfig(ctx.getSystem().settings().config())));
  }

  private final ActorContext<Command> ctx;
  private final Clock clock;

  private AuditLog(ActorContext<Command> ctx, Clock clock, AuditSettings settings) {
    super(PersistenceId.ofUniqueId(PERSISTENCE_ID),
        SupervisorStrategy.restartWithBackoff(settings.persistMinBackoff(), settings.persistMaxBackoff(),
            settings.randomFactor()));
    this.ctx = ctx;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State(0);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Record.class, this::onRecord)
        .build();
  }

  private ReplyEffect<Event, State> onRecord(Record cmd) {
    // Microseconds: what PostgreSQL and H2 timestamps hold, so the read side returns exactly the journal's value.
    Recorded event = Recorded.of(clock.instant().truncatedTo(ChronoUnit.MICROS), cmd.request());
    return Effect().persist(event)
        .thenReply(cmd.replyTo(), stored -> event.toEntry(lastSequenceNumber(ctx)));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Recorded.class, (state, event) -> state.next())
        .build();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return AuditTags.tagsFor(event);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Snapshots only speed up recovery; events are never deleted (no withDeleteEventsOnSnapshot): they are the record.
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}

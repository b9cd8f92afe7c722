package io.sensorfleet.audit;

import io.sensorfleet.audit.internal.ReadSideStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;

/**
 * Keeps the read-side table {@code audit_entry} up to date with the journal: it follows {@code eventsByTag("audit")}
 * from the offset stored in {@code audit_projection_offset}, writing each batch of entries and the new offset in
 * one transaction (upsert by seq, so a replay never duplicates). Failures restart the stream with backoff, from the
 * stored offset. Blocking JDBC runs on {@code sensor.audit.jdbc-dispatcher}.
 *
 * <p>The guardian spawns it once, after {@link JournalSchema#ensure}; stopping the actor stops the stream (after
 * the batch in flight is committed). Entries show up in {@link AuditQueries} about half a second after they were
 * recorded ({@code jdbc-read-journal.refresh-interval} and {@code journal-sequence-retrieval.query-delay}).
 */
public final class AuditReadSide {

  public sealed interface Command {}

  /**
   * Empties {@code audit_entry} and its offset, replays the whole journal into it, then follows the journal again.
   * Sent by an operator (e.g. an admin route). The reply comes when the replay reached the end of the journal as it
   * was when the rebuild started: allow a long ask timeout for a big journal. Until then queries see a partial
   * table. Rebuilds asked for meanwhile share the running one's reply.
   */
  public record Rebuild(ActorRef<StatusReply<Done>> replyTo) implements Command {
    public Rebuild {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** The stream stopped by {@code killSwitch} ended. It names its kill switch: after a restart, the previous
   *  incarnation's stream still reports, and that report must be ignored. */
  private record FollowEnded(SharedKillSwitch killSwitch, Optional<Throwable> failure) implements Command {}

  private record RebuildEnded(SharedKillSwitch killSwitch, Optional<Throwable> failure) implements Command {}

  /** Settings from {@code sensor.audit}. */
  public static Behavior<Command> create() {
    return Behaviors.setup(ctx -> create(AuditSettings.fromConfig(ctx.getSystem().settings().config())));
  }

  public static Behavior<Command> create(AuditSettings settings) {
    return Behaviors.supervise(Behaviors.<Command>setup(ctx -> new AuditReadSide(ctx, settings).following()))
        .onFailure(SupervisorStrategy.restartWithBackoff(settings.readSideMinBackoff(), settings.readSideMaxBackoff(),
            settings.randomFactor()));
  }

  private final ActorContext<Command> ctx;
  private final ReadSideStream stream;

  private AuditReadSide(ActorContext<Command> ctx, AuditSettings settings) {
    this.ctx = ctx;
    this.stream = new ReadSideStream(ctx.getSystem(), settings);
  }

  /** Following the journal live. */
  private Behavior<Command> following() {
    SharedKillSwitch killSwitch = KillSwitches.shared("audit-read-side");
    pipe(stream.follow(killSwitch), failure -> new FollowEnded(killSwitch, failure));
    return Behaviors.receive(Command.class)
        .onMessage(Rebuild.class, r -> {
          killSwitch.shutdown();
          return stoppingToRebuild(killSwitch, new ArrayList<>(List.of(r.replyTo())));
        })
        .onMessage(RebuildEnded.class, ended -> Behaviors.same())
        .onMessage(FollowEnded.class, ended -> ended.killSwitch() != killSwitch, ended -> Behaviors.same())
        .onMessage(FollowEnded.class, ended -> {
          // The restarting stream only ends through its kill switch; anything else is a bug: let supervision restart.
          throw new IllegalStateException("audit read side stream ended by itself",
              ended.failure().orElse(null));
        })
        .onSignal(PostStop.class, s -> stop(killSwitch))
        .onSignal(PreRestart.class, s -> stop(killSwitch))
        .build();
  }

  /** The live stream is committing its last batch; then the rebuild starts. */
  private Behavior<Command> stoppingToRebuild(SharedKillSwitch following, List<ActorRef<StatusReply<Done>>> waiting) {
    return Behaviors.receive(Command.class)
        .onMessage(Rebuild.class, r -> {
          waiting.add(r.replyTo());
          return Behaviors.same();
        })
        .onMessage(FollowEnded.class, ended -> ended.killSwitch() == following, ended -> rebuilding(waiting))
        .onMessage(FollowEnded.class, ended -> Behaviors.same())
        .onMessage(RebuildEnded.class, ended -> Behaviors.same())
        .build();
  }

  private Behavior<Command> rebuilding(List<ActorRef<StatusReply<Done>>> waiting) {
    SharedKillSwitch killSwitch = KillSwitches.shared("audit-read-side-rebuild");
    ctx.getLog().info("Rebuilding the audit read side from the journal");
    pipe(stream.rebuild(killSwitch), failure -> new RebuildEnded(killSwitch, failure));
    return Behaviors.receive(Command.class)
        .onMessage(Rebuild.class, r -> {
          waiting.add(r.replyTo());
          return Behaviors.same();
        })
        .onMessage(FollowEnded.class, ended -> Behaviors.same())
        .onMessage(RebuildEnded.class, ended -> ended.killSwitch() != killSwitch, ended -> Behaviors.same())
        .onMessage(RebuildEnded.class, ended -> {
          StatusReply<Done> reply = ended.failure()
              .map(e -> {
                ctx.getLog().error("Rebuilding the audit read side failed; following the journal again", e);
                return StatusReply.<Done>error("audit read side rebuild failed: " + e.getMessage());
              })
              .orElseGet(() -> {
                ctx.getLog().info("Audit read side rebuilt");
                return StatusReply.ack();
              });
          waiting.forEach(w -> w.tell(reply));
          return following();
        })
        .onSignal(PostStop.class, s -> stop(killSwitch))
        .onSignal(PreRestart.class, s -> stop(killSwitch))
        .build();
  }

  private void pipe(CompletionStage<Done> done, Function<Optional<Throwable>, Command> toMessage) {
    ctx.pipeToSelf(done, (ok, failure) -> toMessage.apply(Optional.ofNullable(failure)));
  }

  private static Behavior<Command> stop(SharedKillSwitch killSwitch) {
    killSwitch.shutdown();
    return Behaviors.same();
  }
}

package io.sensorfleet.audit.internal;

import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditSettings;
import io.sensorfleet.audit.AuditTags;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The streams behind {@code AuditReadSide}: journal events tagged {@value AuditTags#ALL} into {@code audit_entry},
 * each batch in one transaction with the offset.
 *
 * <p>The kill switch sits between the journal query and the writes, so shutting it down lets the batch in flight
 * commit before the stream completes: once {@code done} completes, nothing writes any more (a rebuild relies on
 * that).
 */
public final class ReadSideStream {

  private final ActorSystem<?> system;
  private final AuditSettings settings;
  private final AuditStore store;
  private final Blocking blocking;
  private final JdbcReadJournal readJournal;

  public ReadSideStream(ActorSystem<?> system, AuditSettings settings) {
    this.system = system;
    this.settings = settings;
    this.store = new AuditStore(SharedDatabase.connections(system, settings.readJournal()), settings.dialect(),
        Clock.systemUTC());
    this.blocking = Blocking.on(system, settings.dispatcher());
    this.readJournal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, settings.readJournal());
  }

  /**
   * Follows the journal from the stored offset until {@code killSwitch} is shut down, restarting with backoff (from
   * the stored offset again) after any failure. The stage completes once the last batch is committed.
   */
  public CompletionStage<Done> follow(SharedKillSwitch killSwitch) {
    RestartSettings restart = RestartSettings.create(settings.readSideMinBackoff(), settings.readSideMaxBackoff(),
        settings.randomFactor());
    // onFailures: the inner stream completes only when the kill switch is shut down, and then we are done.
    return RestartSource.onFailuresWithBackoff(restart, () ->
            Source.completionStage(blocking.supply(() -> {
                  store.ensureTables();
                  return store.offset(settings.projectionId());
                }))
                .flatMapConcat(offset -> readJournal.eventsByTag(AuditTags.ALL, Offset.sequence(offset)))
                .via(killSwitch.flow())
                .via(writes()))
        .named("audit-read-side")
        .runWith(Sink.ignore(), system);
  }

  /**
   * Empties the read side and replays the journal as it is now, until {@code killSwitch} is shut down. Completes
   * when the replay reached the end; the stored offset is then where {@link #follow} resumes.
   */
  public CompletionStage<Done> rebuild(SharedKillSwitch killSwitch) {
    return blocking.supply(() -> {
          store.ensureTables();
          store.reset(settings.projectionId());
          return Done.getInstance();
        })
        .thenCompose(reset -> readJournal.currentEventsByTag(AuditTags.ALL, Offset.noOffset())
            .via(killSwitch.flow())
            .via(writes())
            .named("audit-read-side-rebuild")
            .runWith(Sink.ignore(), system));
  }

  private Flow<EventEnvelope, Done, NotUsed> writes() {
    return Flow.<EventEnvelope>create()
        .groupedWithin(settings.batchSize(), settings.batchWindow())
        .mapAsync(1, this::write);
  }

  private CompletionStage<Done> write(List<EventEnvelope> batch) {
    List<AuditEntry> entries = new ArrayList<>(batch.size());
    for (EventEnvelope env : batch) {
      // Only AuditLog tags "audit"; anything else tagged so by mistake is skipped, but its offset still counts.
      if (env.persistenceId().equals(AuditLog.PERSISTENCE_ID) && env.event() instanceof AuditLog.Recorded r) {
        entries.add(r.toEntry(env.sequenceNr()));
      }
    }
    long offset = ((Sequence) batch.getLast().offset()).value();
    return blocking.supply(() -> {
      store.write(entries, settings.projectionId(), offset);
      return Done.getInstance();
    });
  }
}

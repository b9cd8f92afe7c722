package io.sensorfleet.audit;

import io.sensorfleet.audit.internal.AuditSql;
import io.sensorfleet.audit.internal.AuditStore;
import io.sensorfleet.audit.internal.Blocking;
import io.sensorfleet.audit.internal.SharedDatabase;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The only way to read the audit log. Filtered queries go to the read side's {@code audit_entry} table (kept up to
 * date by {@link AuditReadSide}, so entries appear there about half a second after {@link AuditLog} replied);
 * {@link #journal} reads the journal itself. Thread-safe; create one per actor system and share it.
 */
public final class AuditQueries {

  private final Function<AuditFilter, CompletionStage<List<AuditEntry>>> pages;
  private final LongFunction<Source<AuditEntry, NotUsed>> journal;

  /** Settings from {@code sensor.audit}; the database is the persistence plugin's shared one. */
  public static AuditQueries create(ActorSystem<?> system) {
    return new AuditQueries(system, AuditSettings.fromConfig(system.settings().config()));
  }

  public AuditQueries(ActorSystem<?> system, AuditSettings settings) {
    AuditStore store = new AuditStore(SharedDatabase.connections(system, settings.readJournal()), settings.dialect(),
        Clock.systemUTC());
    Blocking blocking = Blocking.on(system, settings.dispatcher());
    JdbcReadJournal readJournal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, settings.readJournal());
    this.pages = filter -> {
      AuditSql.Query query = AuditSql.select(filter, Math.min(filter.limit(), settings.maxLimit()));
      return blocking.supply(() -> store.query(query));
    };
    this.journal = fromSeq -> readJournal
        .currentEventsByPersistenceId(AuditLog.PERSISTENCE_ID, fromSeq, Long.MAX_VALUE)
        .mapConcat(env -> env.event() instanceof AuditLog.Recorded r
            ? List.of(r.toEntry(env.sequenceNr()))
            : List.<AuditEntry>of());
  }

  private AuditQueries(Function<AuditFilter, CompletionStage<List<AuditEntry>>> pages) {
    this.pages = pages;
    this.journal = fromSeq -> Source.failed(new UnsupportedOperationException("journal() of a stub AuditQueries"));
  }

  /**
   * A stand-in that answers every page with {@code pages}, for tests of code that reads the audit log (e.g. routes:
   * capture the filter a request was turned into, return canned entries). Its {@link #journal} fails.
   */
  public static AuditQueries of(Function<AuditFilter, CompletionStage<List<AuditEntry>>> pages) {
    return new AuditQueries(pages);
  }

  /**
   * Entries matching {@code filter}, newest first, at most {@code min(filter.limit(), max-limit)}. The query runs
   * when the source is materialized (each time).
   */
  public Source<AuditEntry, NotUsed> find(AuditFilter filter) {
    return Source.single(filter).mapAsync(1, this::findPage).mapConcat(page -> page).named("audit-find");
  }

  /** {@link #find}, collected: one page of entries, newest first. */
  public CompletionStage<List<AuditEntry>> findPage(AuditFilter filter) {
    return pages.apply(filter);
  }

  /**
   * Every entry from seq {@code fromSeq} on, oldest first, straight from the journal (the source of truth) as it
   * is now. For exports and checks; filtered reads belong to {@link #find}.
   */
  public Source<AuditEntry, NotUsed> journal(long fromSeq) {
    return journal.apply(fromSeq).named("audit-journal");
  }
}

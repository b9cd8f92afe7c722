package io.sensorfleet.audit;

import com.typesafe.config.Config;
import io.sensorfleet.audit.internal.AuditStore;
import io.sensorfleet.audit.internal.Blocking;
import io.sensorfleet.audit.internal.SharedDatabase;
import io.sensorfleet.events.UserEventStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * Creates what the audit log needs in the database, if missing: the journal's tables from the DDL that Pekko
 * Persistence JDBC ships for the configured Slick profile ({@code schema/h2/h2-create-schema.sql} or
 * {@code schema/postgres/postgres-create-schema.sql}), then the read side's tables and indexes and the
 * {@code user_event} table ({@link UserEventStore}).
 *
 * <p>The guardian calls {@link #ensure} once at startup and spawns {@link AuditLog} and {@link AuditReadSide} only
 * after it succeeded. Safe to call on every start: everything is {@code IF NOT EXISTS}.
 */
public final class JournalSchema {

  private JournalSchema() {}

  /**
   * Completes when the journal and read-side tables exist; fails when the database is unreachable, when
   * {@code sensor.audit.dialect} does not match the Slick profile, or when the journal's tables are still missing
   * afterwards (the plugin's script runner only logs failed statements at debug level, so this checks).
   */
  public static CompletionStage<Done> ensure(ActorSystem<?> system) {
    AuditSettings settings;
    SlickDatabase db;
    try {
      settings = AuditSettings.fromConfig(system.settings().config());
      db = SharedDatabase.of(system, settings.readJournal());
      checkDialect(settings.dialect(), db);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Blocking blocking = Blocking.on(system, settings.dispatcher());
    AuditStore store = new AuditStore(() -> db.database().source().createConnection(), settings.dialect(),
        Clock.systemUTC());
    List<String> journalTables = journalTables(system.settings().config());
    return SchemaUtils.createIfNotExists("jdbc-journal", system)
        .thenCompose(done -> blocking.supply(() -> {
          try (Connection c = db.database().source().createConnection(); Statement st = c.createStatement()) {
            for (String table : journalTables) {
              try {
                st.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE 1 = 0").close();
              } catch (SQLException e) {
                throw new IllegalStateException("journal table '" + table + "' is missing after applying the "
                    + "plugin's DDL; create it by hand (see docs/persistence.md)", e);
              }
            }
          }
          store.ensureTables();
          try (Connection c = db.database().source().createConnection(); Statement st = c.createStatement()) {
            for (String ddl : UserEventStore.DDL) {
              st.execute(ddl);
            }
          }
          return Done.getInstance();
        }));
  }

  private static List<String> journalTables(Config config) {
    return List.of(
        config.getString("jdbc-journal.tables.event_journal.tableName"),
        config.getString("jdbc-journal.tables.event_tag.tableName"),
        config.getString("jdbc-snapshot-store.tables.snapshot.tableName"));
  }

  private static void checkDialect(AuditSettings.Dialect dialect, SlickDatabase db) {
    boolean matches = switch (dialect) {
      case H2 -> db.profile() instanceof slick.jdbc.H2Profile;
      case POSTGRES -> db.profile() instanceof slick.jdbc.PostgresProfile;
    };
    if (!matches) {
      throw new IllegalStateException("sensor.audit.dialect is " + dialect.name().toLowerCase(Locale.ROOT)
          + " but the shared database's Slick profile is " + db.profile().getClass().getName());
    }
  }
}
